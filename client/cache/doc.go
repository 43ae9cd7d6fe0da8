// Package cache keeps a process's in-memory copy of API objects up to date and tells
// controllers when they change. It is the "informer" machinery of Kubernetes:
//
//		API server --list+watch--> Reflector --> SharedInformer --> Indexer (read via Lister)
//		                                                        \-> event handlers -> work queues
//
//	  - A Reflector lists a resource (in pages of 500), then watches from the list's
//	    resourceVersion with bookmarks. A broken watch resumes from the last resourceVersion
//	    it saw (bookmarks included) without listing again; only a 410 Gone (history compacted)
//	    forces a full relist. Errors back off exponentially (0.8 s doubling to 30 s).
//	  - An Indexer is a thread-safe map "namespace/name" -> object, with secondary indexes
//	    (by namespace built in; custom ones such as pods by spec.nodeName).
//	  - A SharedInformer owns one Reflector and one Indexer per kind and fans changes out to
//	    any number of handlers (OnAdd, OnUpdate, OnDelete), each on its own goroutine with an
//	    unbounded buffer, so a slow handler never stalls the watch or the other handlers.
//	  - A SharedInformerFactory hands every controller of a process the same informer per
//	    kind: one watch per kind, however many controllers look at it.
//
// Promises: handlers of one informer see an object's changes in the order the server made
// them; after HasSynced, the Indexer holds everything the initial list returned; a deleted
// object the informer missed (deleted while a watch was down) is reported to OnDelete as a
// DeletedFinalStateUnknown tombstone carrying its last known state.
//
// Objects handed to handlers and returned by listers are SHARED with the cache and every
// other controller: never modify them. DeepCopy (or copy what you change) first.
package cache
