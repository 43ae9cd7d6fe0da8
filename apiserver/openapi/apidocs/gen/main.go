// Command gen writes zz_generated_docs.go for package apidocs: the Go doc comments of every
// type declared in Skiff's API packages and of each of their fields (keyed by JSON name), so
// the OpenAPI documents and kubectl's Table column descriptions can show them without
// parsing source at run time. Run it with "go generate ./apiserver/openapi/apidocs" after
// changing a comment in api/; the package's test fails while the file is stale.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/skiff-k8s/skiff/apiserver/openapi/apidocs/gen/extract"
)

func main() {
	out := flag.String("out", "zz_generated_docs.go", "file to write")
	flag.Parse()
	root, err := moduleRoot()
	if err != nil {
		log.Fatalf("apidocs gen: %v", err)
	}
	src, err := extract.Generate(root)
	if err != nil {
		log.Fatalf("apidocs gen: %v", err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatalf("apidocs gen: %v", err)
	}
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
