package bridge

import (
	"go/ast"
	"testing"
)

// maxMethods is the most methods (exported and unexported) any type of
// package bridge may have: a service bigger than this is two concepts.
const maxMethods = 40

// methodCounts counts the methods declared on each type of the package,
// from its source.
func methodCounts(t *testing.T) map[string]int {
	t.Helper()
	files := packageFiles(t)
	counts := map[string]int{}
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil {
				continue
			}
			typ := fd.Recv.List[0].Type
			if st, ok := typ.(*ast.StarExpr); ok {
				typ = st.X
			}
			if ix, ok := typ.(*ast.IndexExpr); ok {
				typ = ix.X
			}
			counts[typ.(*ast.Ident).Name]++
		}
	}
	return counts
}

func TestServicesStaySmall(t *testing.T) {
	counts := methodCounts(t)
	for typ, n := range counts {
		if n > maxMethods {
			t.Errorf("%s has %d methods, more than %d: split it by concept", typ, n, maxMethods)
		}
	}
	// The services embed *core; a method on core would be promoted into
	// every service's method set.
	if n := counts["core"]; n != 0 {
		t.Errorf("core has %d methods; shared state only, helpers go on a service or a small type", n)
	}
	// The root only wires: its services do the work.
	if n := counts["Service"]; n > 5 {
		t.Errorf("Service has %d methods; the domain's methods belong on its services", n)
	}
	for _, svc := range []string{"Inbound", "Conversations", "Notifications", "Directory", "Accounts", "Messaging", "Mailboxes", "Addresses"} {
		if counts[svc] == 0 {
			t.Errorf("service %s has no methods (renamed? update this list)", svc)
		}
		t.Logf("%-14s %2d methods", svc, counts[svc])
	}
}
