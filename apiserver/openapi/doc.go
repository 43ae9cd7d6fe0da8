// Package openapi serves the OpenAPI documents of the served resources, built by reflection
// from Skiff's Go types (api/...) and the registry, with the descriptions of their doc
// comments (apidocs):
//
//	/openapi/v2                       Swagger 2.0, all groups in one document, as JSON or as
//	                                  the gnostic protobuf message older kubectl asks for
//	/openapi/v3                       an index: each group version's path and content hash
//	/openapi/v3/api/v1, /apis/<g>/<v> OpenAPI 3.0, one document per group version
//
// kubectl reads them for `kubectl explain`, to learn whether the server validates fields
// itself (the fieldValidation parameter of each PATCH operation: if so it sends Strict
// instead of validating client-side), and for the patch strategies of `kubectl apply`
// (x-kubernetes-patch-strategy and x-kubernetes-patch-merge-key, from the types' tags).
//
// Promise: schemas follow upstream's conventions: definition names (io.k8s.api.core.v1.Pod),
// property types and formats (int32, int64, date-time, byte, int-or-string), required =
// the fields without omitempty, references (v2 "$ref", v3 "allOf" when a reference carries
// a description), x-kubernetes-group-version-kind on every kind, the patch and list
// extensions, and for every served verb the path, operation id, parameters and responses
// upstream has. Documents are rendered once, on first use, and served with ETags.
package openapi
