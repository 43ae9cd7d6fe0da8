package volumes

import "github.com/skiff-k8s/skiff/api/resource"

func mustParse(s string) resource.Quantity { return resource.MustParse(s) }
