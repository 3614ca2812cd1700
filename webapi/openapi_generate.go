package webapi

// openapi.json is generated from the API's Go types and the route table in
// openapi_*_test.go; TestOpenAPIJSONIsGenerated fails when it is stale.
//go:generate go test -count=1 -run ^TestOpenAPIJSONIsGenerated$ -update .
