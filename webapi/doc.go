// Package webapi is deskgate's REST API (SPEC §7) on echo: JSON under
// /api/v1 with bearer-token auth, the error JSON, Server-Sent Events, the
// OpenAPI document, /healthz and /metrics. Handlers only decode, call the
// bridge and encode: every rule of who may do what lives in the bridge.
package webapi
