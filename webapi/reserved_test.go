package webapi_test

import (
	"strings"
	"testing"
)

// deskgate's own addresses cannot belong to a user or a customer (it would
// email itself); other addresses on its domains can (staff mailboxes).
func TestOwnAddressesCannotBeUsersOrCustomers(t *testing.T) {
	e := newEnv(t)
	for _, addr := range []string{"support@support.test", "Postmaster@Support.Test", "notifications@support.test", "reply+abc@support.test", "bounce+xyz@support.test"} {
		for _, path := range []string{"/api/v1/users", "/api/v1/customers"} {
			r := e.must(422, "POST", path, adminToken, map[string]string{"email": addr, "name": "Loop"})
			if r.errCode(t) != "invalid" || !strings.Contains(string(r.body), "deskgate's own addresses") {
				t.Fatalf("POST %s %s: %s", path, addr, r.body)
			}
		}
	}
	e.must(201, "POST", "/api/v1/users", adminToken, map[string]string{"email": "sam@support.test", "name": "Sam"})
	e.must(201, "POST", "/api/v1/customers", adminToken, map[string]string{"email": "support@customer.example", "name": "Their support"})
}
