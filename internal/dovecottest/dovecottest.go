// Package dovecottest starts a private Dovecot IMAP server for tests: its
// own config, state and log in a temp dir, listening on 127.0.0.1 on a
// port the test picks, one passwd-file user with a Maildir. Tests that need
// it skip without Dovecot, and fail when CI is set (internal/testenv).
package dovecottest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/testenv"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// User and Password are the test account.
const (
	User     = "help@example.com"
	Password = "secret-pass"
)

// Server is a running Dovecot.
type Server struct {
	t      testing.TB
	dir    string
	conf   string
	Port   int
	NoIdle bool
	// TLSPort and CertPool are set with Options.TLS.
	TLSPort  int
	CertPool *x509.CertPool
}

// Options of Start.
type Options struct {
	// NoIdle removes IDLE from the capabilities (imap_capability), so
	// clients must poll.
	NoIdle bool
	// TLS adds an implicit-TLS listener (TLSPort) and STARTTLS on the
	// plain one, with a certificate for 127.0.0.1 and localhost signed
	// by a test CA (CertPool).
	TLS bool
}

// Start starts Dovecot, stopped at the end of the test.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/dovecot"); err2 != nil {
			testenv.Unavailable(t, "dovecot not installed (apt-get install dovecot-core dovecot-imapd)")
		}
		bin = "/usr/sbin/dovecot"
	}
	dir, err := os.MkdirTemp("", "deskgate-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, dir: dir, conf: filepath.Join(dir, "dovecot.conf"), Port: freePort(t), NoIdle: o.NoIdle}
	u, _ := user.Current()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, "Maildir"), 0o700); err != nil {
		t.Fatal(err)
	}
	mailUID, mailGID := u.Uid, u.Gid
	if u.Uid == "0" { // Dovecot refuses UID 0 for mail: the test mail belongs to nobody
		if nb, err := user.Lookup("nobody"); err == nil {
			mailUID, mailGID = nb.Uid, nb.Gid
			uid, _ := strconv.Atoi(nb.Uid)
			gid, _ := strconv.Atoi(nb.Gid)
			for _, p := range []string{home, filepath.Join(home, "Maildir")} {
				if err := os.Chown(p, uid, gid); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	passwd := fmt.Sprintf("%s:{PLAIN}%s:%s:%s::%s\n", User, Password, mailUID, mailGID, home)
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(passwd), 0o644); err != nil {
		t.Fatal(err)
	}
	// Dovecot's login and internal processes refuse to run as root: as
	// root, use the accounts Debian's package creates.
	loginUser, internalUser := u.Username, u.Username
	if u.Uid == "0" {
		loginUser, internalUser = "dovenull", "dovecot"
	}
	caps := ""
	if o.NoIdle {
		caps = "imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE\n"
	}
	sslConf, imapsPort := "ssl = no", 0
	if o.TLS {
		s.TLSPort = freePort(t)
		imapsPort = s.TLSPort
		s.CertPool = writeCert(t, dir)
		sslConf = fmt.Sprintf("ssl = yes\nssl_cert = <%[1]s/cert.pem\nssl_key = <%[1]s/key.pem", dir)
	}
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
info_log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
%[7]s
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = %[2]s
default_internal_user = %[3]s
default_internal_group = %[6]s
mail_location = maildir:~/Maildir
first_valid_uid = 0
%[5]s
passdb {
  driver = passwd-file
  args = %[1]s/passwd
}
userdb {
  driver = passwd-file
  args = %[1]s/passwd
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[4]d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[8]d
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`, dir, loginUser, internalUser, s.Port, caps, internalGroup(internalUser, u), sslConf, imapsPort)
	if err := os.WriteFile(s.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s.start(bin)
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("dovecot log:\n%s", s.Log())
		}
	})
	return s
}

func internalGroup(name string, cur *user.User) string {
	if u, err := user.Lookup(name); err == nil {
		return groupName(u)
	}
	return groupName(cur)
}

func groupName(u *user.User) string {
	if g, err := user.LookupGroupId(u.Gid); err == nil {
		return g.Name
	}
	return u.Username
}

func (s *Server) start(bin string) {
	s.t.Helper()
	log, err := os.OpenFile(filepath.Join(s.dir, "start.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(bin, "-c", s.conf)
	cmd.Stdout, cmd.Stderr = log, log // never a pipe: the daemon's children keep them
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(filepath.Join(s.dir, "start.log"))
		s.t.Fatalf("dovecot: %v\n%s", err, out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(filepath.Join(s.dir, "dovecot.log"))
			s.t.Fatalf("dovecot does not listen on %s: %v\n%s", s.Addr(), err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Addr is host:port of the IMAP listener.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// Stop stops Dovecot (its clients are cut off).
func (s *Server) Stop() {
	bin, _ := exec.LookPath("dovecot")
	if bin == "" {
		bin = "/usr/sbin/dovecot"
	}
	_ = exec.Command(bin, "-c", s.conf, "stop").Run()
	pidFile := filepath.Join(s.dir, "run", "master.pid")
	for range 100 {
		if _, err := os.Stat(pidFile); err != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Wait until the port is free again.
	for range 100 {
		c, err := net.DialTimeout("tcp", s.Addr(), 200*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(50 * time.Millisecond)
	}
}

// Restart stops and starts Dovecot on the same port and Maildir.
func (s *Server) Restart() {
	s.Stop()
	bin, _ := exec.LookPath("dovecot")
	if bin == "" {
		bin = "/usr/sbin/dovecot"
	}
	s.start(bin)
}

// Log returns Dovecot's log.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "dovecot.log"))
	return string(b)
}

// Client logs in as the test user.
func (s *Server) Client() *imapclient.Client {
	s.t.Helper()
	c, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := c.Login(User, Password).Wait(); err != nil {
		c.Close()
		s.t.Fatal(err)
	}
	return c
}

// Append APPENDs raw messages to folder over IMAP, each in turn.
func (s *Server) Append(folder string, raws ...[]byte) {
	s.t.Helper()
	c := s.Client()
	defer c.Close()
	for _, raw := range raws {
		if err := AppendWith(c, folder, raw); err != nil {
			s.t.Fatal(err)
		}
	}
}

// AppendWith APPENDs raw to folder over c.
func AppendWith(c *imapclient.Client, folder string, raw []byte) error {
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

// Create creates folder.
func (s *Server) Create(folder string) {
	s.t.Helper()
	c := s.Client()
	defer c.Close()
	if err := c.Create(folder, nil).Wait(); err != nil {
		s.t.Fatal(err)
	}
}

// Flags returns the flags of every message of folder by UID.
func (s *Server) Flags(folder string) map[imap.UID][]imap.Flag {
	s.t.Helper()
	c := s.Client()
	defer c.Close()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		s.t.Fatal(err)
	}
	out := map[imap.UID][]imap.Flag{}
	if sel.NumMessages == 0 {
		return out
	}
	all := imap.SeqSet{}
	all.AddRange(1, sel.NumMessages)
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		s.t.Fatal(err)
	}
	for _, m := range msgs {
		out[m.UID] = m.Flags
	}
	return out
}

// Message builds a small message.
func Message(from, subject, msgID, body string, extra ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: help@example.com\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\n",
		from, subject, msgID, time.Now().UTC().Format(time.RFC1123Z))
	for _, h := range extra {
		b.WriteString(strings.TrimRight(h, "\r\n") + "\r\n")
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
	return b.Bytes()
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ResetUIDValidity stops Dovecot, drops the Maildir's UID list and
// indexes (as a restore from backup or a server migration would), and
// starts it again: the folder gets a new UIDVALIDITY and new UIDs.
func (s *Server) ResetUIDValidity() {
	s.t.Helper()
	s.Stop()
	md := filepath.Join(s.dir, "home", "Maildir")
	matches, _ := filepath.Glob(filepath.Join(md, "dovecot*"))
	for _, m := range matches {
		if err := os.RemoveAll(m); err != nil {
			s.t.Fatal(err)
		}
	}
	time.Sleep(1100 * time.Millisecond) // UIDVALIDITY is a time in seconds
	bin, _ := exec.LookPath("dovecot")
	if bin == "" {
		bin = "/usr/sbin/dovecot"
	}
	s.start(bin)
}

// writeCert writes cert.pem and key.pem for 127.0.0.1 and localhost into
// dir, signed by a fresh CA, and returns a pool holding that CA.
func writeCert(t testing.TB, dir string) *x509.CertPool {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "deskgate test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return pool
}

// AppendAt APPENDs raw to folder with the internal date at (as a message
// moved or migrated from elsewhere keeps its old one).
func (s *Server) AppendAt(folder string, at time.Time, raw []byte) {
	s.t.Helper()
	c := s.Client()
	defer c.Close()
	cmd := c.Append(folder, int64(len(raw)), &imap.AppendOptions{Time: at})
	if _, err := cmd.Write(raw); err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		s.t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		s.t.Fatal(err)
	}
}
