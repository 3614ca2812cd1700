package main

import (
	"crypto/tls"
	"fmt"
	"net"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/senderauth"
	"github.com/deskgate/deskgate/smtpd"
)

// listenSMTP configures inbound mail on the domain and opens the MX
// listener with STARTTLS when DESKGATE_TLS_CERT/KEY are set.
func (a *app) listenSMTP() (*smtpd.Server, net.Listener, error) {
	a.svc.Inbound.SetInbound(bridge.InboundConfig{
		FloodLimit: a.cfg.FloodLimit, FloodWindow: a.cfg.FloodWindow,
		Auth:             senderauth.New(a.dns, senderauth.Options{ARCTrusted: a.cfg.ARCTrusted, Log: a.log.With("part", "senderauth")}),
		DMARCMonitorOnly: !a.cfg.DMARCEnforce,
		IgnoreCc:         !a.cfg.CcJoin,
	})
	opts := smtpd.Options{
		Hostname: a.cfg.Hostname, MaxMessageBytes: a.cfg.MaxMessageBytes,
		Registry: a.reg, Log: a.log,
	}
	if a.cfg.TLSEnabled() {
		// Renewed certificates are taken on SIGHUP or when the files change.
		r, err := newCertReloader(a.cfg.TLSCert, a.cfg.TLSKey, a.log.With("part", "tls"))
		if err != nil {
			return nil, nil, fmt.Errorf("smtp tls: %w", err)
		}
		a.certs = r
		opts.TLSConfig = &tls.Config{GetCertificate: r.GetCertificate, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", a.cfg.SMTPAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen smtp %s: %w", a.cfg.SMTPAddr, err)
	}
	return smtpd.New(a.svc.Inbound, opts), ln, nil
}
