package v1

import (
	"testing"

	"github.com/skiff-k8s/skiff/api/internal/apitest"
)

func TestEveryStructHasDeepCopy(t *testing.T) { apitest.AssertEveryStructHasDeepCopy(t, ".") }
