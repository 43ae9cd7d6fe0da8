package v1

import "github.com/skiff-k8s/skiff/api/resource"

func mustQ(s string) resource.Quantity { return resource.MustParse(s) }
