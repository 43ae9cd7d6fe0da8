package v1

// Object is what every top-level API kind implements: it has a TypeMeta and an ObjectMeta.
// The apiserver's generic store and the client's informers work on Objects, so they never
// need to know which kind they hold.
type Object interface {
	GetTypeMeta() *TypeMeta
	GetObjectMeta() *ObjectMeta
}

// GetTypeMeta lets any kind that embeds TypeMeta satisfy half of Object.
func (t *TypeMeta) GetTypeMeta() *TypeMeta { return t }

// GetObjectMeta lets any kind with an ObjectMeta field named Metadata... each kind defines
// its own method; ObjectMeta itself also satisfies the accessor so helpers can take either.
func (m *ObjectMeta) GetObjectMeta() *ObjectMeta { return m }

// ListInterface is implemented by every XxxList kind: it exposes the list metadata.
type ListInterface interface {
	GetTypeMeta() *TypeMeta
	GetListMeta() *ListMeta
}

// GetListMeta returns the list metadata itself, so XxxList kinds embedding ListMeta as the
// field ListMeta get the accessor for free.
func (l *ListMeta) GetListMeta() *ListMeta { return l }

// NamespacedName is the "namespace/name" identity of an object.
type NamespacedName struct {
	Namespace string
	Name      string
}

// String renders the key the way work queues and logs use it: "ns/name", or "name" for
// cluster-scoped objects.
func (n NamespacedName) String() string {
	if n.Namespace == "" {
		return n.Name
	}
	return n.Namespace + "/" + n.Name
}

// KeyOf returns the "namespace/name" key of an object.
func KeyOf(o Object) string {
	m := o.GetObjectMeta()
	return NamespacedName{Namespace: m.Namespace, Name: m.Name}.String()
}
