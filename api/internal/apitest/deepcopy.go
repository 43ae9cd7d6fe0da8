package apitest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// AssertEveryStructHasDeepCopy fails for each exported struct type of the package in dir
// that lacks a DeepCopy method, so zz_generated_deepcopy.go cannot fall behind the types.
func AssertEveryStructHasDeepCopy(t *testing.T, dir string) {
	t.Helper()
	fs := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	structs := map[string]bool{}
	copiers := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fs, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
						if _, ok := ts.Type.(*ast.StructType); ok {
							structs[ts.Name.Name] = true
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil && d.Name.Name == "DeepCopy" {
					if star, ok := d.Recv.List[0].Type.(*ast.StarExpr); ok {
						if id, ok := star.X.(*ast.Ident); ok {
							copiers[id.Name] = true
						}
					}
				}
			}
		}
	}
	if len(structs) == 0 {
		t.Fatalf("no struct types found in %s", dir)
	}
	for s := range structs {
		if !copiers[s] {
			t.Errorf("%s has no DeepCopy method; run go generate (api/internal/gendeepcopy)", s)
		}
	}
}
