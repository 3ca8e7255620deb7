// Package config turns command-line flags and ALLIANCE_* environment
// variables into one typed, validated Config. Flags win over the environment,
// and the environment wins over the defaults. Nothing here is global: each
// command builds its own Config.
package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Config is everything a command may need. Commands register only the flags
// they use.
type Config struct {
	// DB is a SQLite file path or a postgres:// URL.
	DB string
	// Addr is the HTTP listen address.
	Addr string
	// Demo loads the demo partnership into an empty database at start-up.
	Demo bool
	// Migrate applies pending migrations at start-up even on a database
	// that already has data.
	Migrate bool
	// SecretKey signs the audit log and encrypts secrets at rest (TOTP
	// seeds): 64 hex characters. It is a secret.
	SecretKey string
	// SecretKeyFile names a file holding the key instead (64 hex
	// characters; never created by Alliance). With neither, a SQLite
	// deployment keeps a generated key in a file beside the database
	// (DB + ".key", made on first start), and a PostgreSQL deployment
	// refuses to start: its key must be configured, the same on every app
	// server, and kept apart from the database.
	SecretKeyFile string
	// SessionIdle and SessionMax bound sessions: idle and absolute timeouts.
	SessionIdle, SessionMax time.Duration
	// OIDC configures sign-in through an identity provider; empty Issuer
	// turns it off.
	OIDC OIDCConfig
	// LogLevel is the minimum level logged.
	LogLevel slog.Level
	// LogFormat is "json" (default) or "text".
	LogFormat string
	// ShutdownTimeout bounds how long in-flight requests and the running
	// job get after SIGTERM; a job still running then is given back.
	ShutdownTimeout time.Duration
	// MetricsToken, when set, lets a client that sends it as a bearer token
	// read /metrics from any address; without it /metrics answers loopback
	// clients only. It is a secret.
	MetricsToken string
	// DBConns caps the read pool (SQLite) or the whole pool (PostgreSQL).
	DBConns int
	// TrustedProxies are the addresses (CIDRs) of reverse proxies whose
	// X-Forwarded-For and X-Request-Id headers are believed. Without them the
	// client is the connection's peer.
	TrustedProxies []*net.IPNet
	// ImportMaxMB caps a register file uploaded through the web, in MB
	// (1 to 1024); 0 means the web package's default (50).
	ImportMaxMB int
	// SuppressBelow is the smallest count the performance dashboard shows
	// to viewers who should not be able to single out a person (2 to 100);
	// 0 means the default (5).
	SuppressBelow int
}

// Load returns the defaults overlaid with ALLIANCE_* variables read through
// getenv. An unparsable variable is an error that names it.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DB:              "alliance.db",
		Addr:            "127.0.0.1:8080",
		LogLevel:        slog.LevelInfo,
		LogFormat:       "json",
		ShutdownTimeout: 30 * time.Second,
		SessionIdle:     30 * time.Minute,
		SessionMax:      12 * time.Hour,
	}
	e := envReader{getenv: getenv}
	e.str("ALLIANCE_DB", &c.DB)
	e.str("ALLIANCE_ADDR", &c.Addr)
	e.boolean("ALLIANCE_DEMO", &c.Demo)
	e.boolean("ALLIANCE_MIGRATE", &c.Migrate)
	e.str("ALLIANCE_SECRET_KEY", &c.SecretKey)
	e.str("ALLIANCE_SECRET_KEY_FILE", &c.SecretKeyFile)
	e.str("ALLIANCE_OIDC_ISSUER", &c.OIDC.Issuer)
	e.str("ALLIANCE_OIDC_CLIENT_ID", &c.OIDC.ClientID)
	e.str("ALLIANCE_OIDC_CLIENT_SECRET", &c.OIDC.ClientSecret)
	e.str("ALLIANCE_OIDC_REDIRECT_URL", &c.OIDC.RedirectURL)
	e.str("ALLIANCE_OIDC_GROUP_ROLES", &c.OIDC.GroupRoles)
	e.str("ALLIANCE_OIDC_LABEL", &c.OIDC.Label)
	e.duration("ALLIANCE_SESSION_IDLE", &c.SessionIdle, "30m")
	e.duration("ALLIANCE_SESSION_MAX", &c.SessionMax, "30m")
	e.str("ALLIANCE_LOG_FORMAT", &c.LogFormat)
	e.str("ALLIANCE_METRICS_TOKEN", &c.MetricsToken)
	if v := getenv("ALLIANCE_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			e.errs = append(e.errs, fmt.Errorf("ALLIANCE_LOG_LEVEL=%q: want debug, info, warn or error", v))
		}
	}
	e.duration("ALLIANCE_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout, "30s")
	if v := getenv("ALLIANCE_TRUSTED_PROXIES"); v != "" {
		var errs []error
		c.TrustedProxies, errs = parseProxies(v)
		e.errs = append(e.errs, errs...)
	}
	e.integer("ALLIANCE_DB_CONNS", &c.DBConns, nil, "want a whole number")
	e.integer("ALLIANCE_IMPORT_MAX_MB", &c.ImportMaxMB, func(n int) bool { return n >= 1 && n <= 1024 },
		"want a whole number of megabytes from 1 to 1024")
	e.integer("ALLIANCE_SUPPRESS_BELOW", &c.SuppressBelow, func(n int) bool { return n >= 2 && n <= 100 }, "want a whole number from 2 to 100")
	return c, errors.Join(e.errs...)
}

// envReader reads ALLIANCE_* variables into a Config, gathering an error
// for each it cannot parse.
type envReader struct {
	getenv func(string) string
	errs   []error
}

// str sets *dst to the variable name, when set.
func (e *envReader) str(name string, dst *string) {
	if v := e.getenv(name); v != "" {
		*dst = v
	}
}

// boolean sets *dst to the variable name, when set to true or false.
func (e *envReader) boolean(name string, dst *bool) {
	if v := e.getenv(name); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want true or false", name, v))
			return
		}
		*dst = b
	}
}

// duration sets *dst to the variable name, when set; an unparsable value
// (its error names example, a duration of the right kind) sets it to 0.
func (e *envReader) duration(name string, dst *time.Duration, example string) {
	if v := e.getenv(name); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want a duration such as %s", name, v, example))
		}
		*dst = d
	}
}

// integer sets *dst to the variable name, when set; a value that does not
// parse, or that valid (when given) refuses, is an error saying want.
func (e *envReader) integer(name string, dst *int, valid func(int) bool, want string) {
	if v := e.getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || (valid != nil && !valid(n)) {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: %s", name, v, want))
		}
		*dst = n
	}
}

// parseProxies parses ALLIANCE_TRUSTED_PROXIES: addresses (taken as /32 or
// /128) and CIDRs, separated by commas.
func parseProxies(v string) ([]*net.IPNet, []error) {
	var out []*net.IPNet
	var errs []error
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if ip := net.ParseIP(part); ip != nil && ip.To4() != nil {
				part += "/32"
			} else {
				part += "/128"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			errs = append(errs, fmt.Errorf("ALLIANCE_TRUSTED_PROXIES: %q is not an address or CIDR", part))
			continue
		}
		out = append(out, n)
	}
	return out, errs
}

// levelValue adapts slog.Level to pflag.Value.
type levelValue struct{ l *slog.Level }

func (v levelValue) String() string     { return strings.ToLower(v.l.String()) }
func (v levelValue) Set(s string) error { return v.l.UnmarshalText([]byte(s)) }
func (v levelValue) Type() string       { return "level" }

// BindDB registers --db and the logging flags, which every command that
// touches data takes.
func (c *Config) BindDB(fs *pflag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, "SQLite file path or postgres:// URL (env ALLIANCE_DB)")
	fs.Var(levelValue{&c.LogLevel}, "log-level", "debug, info, warn or error (env ALLIANCE_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "json or text (env ALLIANCE_LOG_FORMAT)")
	fs.IntVar(&c.DBConns, "db-conns", c.DBConns, "database pool size; 0 for the default (env ALLIANCE_DB_CONNS)")
}

// BindServe registers the flags of the serve command.
func (c *Config) BindServe(fs *pflag.FlagSet) {
	c.BindDB(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env ALLIANCE_ADDR)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load the demo partnership into an empty database (env ALLIANCE_DEMO)")
	fs.BoolVar(&c.Migrate, "migrate", c.Migrate, "apply pending migrations at start-up (env ALLIANCE_MIGRATE)")
	fs.DurationVar(&c.SessionIdle, "session-idle", c.SessionIdle, "sign users out after this long without a request (env ALLIANCE_SESSION_IDLE)")
	fs.DurationVar(&c.SessionMax, "session-max", c.SessionMax, "sign users out this long after they sign in (env ALLIANCE_SESSION_MAX)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "time in-flight requests and the running job get after SIGTERM (env ALLIANCE_SHUTDOWN_TIMEOUT)")
}

// ValidateDB checks the --db value and the logging settings without
// connecting: a PostgreSQL URL must parse and name a host and database; a
// SQLite path's folder must exist and be writable.
func (c *Config) ValidateDB() error {
	var errs []error
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("--log-format %q: want json or text", c.LogFormat))
	}
	if c.DBConns < 0 {
		errs = append(errs, fmt.Errorf("--db-conns %d: want 0 or more", c.DBConns))
	}
	errs = append(errs, validateDSN(c.DB))
	return errors.Join(errs...)
}

func validateDSN(dsn string) error {
	if strings.TrimSpace(dsn) == "" {
		return errors.New("--db: give a SQLite file path or a postgres:// URL")
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return fmt.Errorf("--db: not a valid PostgreSQL URL: %s", redactParseError(err))
		}
		if u.Host == "" {
			return fmt.Errorf("--db %s: the URL names no host", u.Redacted())
		}
		if strings.Trim(u.Path, "/") == "" {
			return fmt.Errorf("--db %s: the URL names no database (add /dbname)", u.Redacted())
		}
		return nil
	}
	if strings.Contains(dsn, "://") {
		return fmt.Errorf("--db %q: only SQLite file paths and postgres:// URLs are supported", dsn)
	}
	path := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == ":memory:" {
		return errors.New("--db :memory:: an in-memory database would lose everything at exit; give a file path")
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("--db %q is a directory; give a file path such as %s", path, filepath.Join(path, "alliance.db"))
		}
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("--db %q: folder %q does not exist", path, dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("--db %q: %q is not a folder", path, dir)
	}
	f, err := os.CreateTemp(dir, ".alliance-write-check-*")
	if err != nil {
		return fmt.Errorf("--db %q: folder %q is not writable", path, dir)
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		return fmt.Errorf("--db %q: folder %q: %w", path, dir, err)
	}
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("--db %q: folder %q: %w", path, dir, err)
	}
	return nil
}

// redactParseError strips the input echoed by url.Parse, which could hold a
// password.
func redactParseError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return "unparsable"
}

// ValidateServe checks everything ValidateDB does plus the listen address.
// It does not check whether the port is free; Listen does that.
func (c *Config) ValidateServe() error {
	var errs []error
	errs = append(errs, c.ValidateDB())
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		errs = append(errs, fmt.Errorf("--addr %q: want host:port, such as 127.0.0.1:8080", c.Addr))
	} else {
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 {
			errs = append(errs, fmt.Errorf("--addr %q: port must be a number from 0 to 65535", c.Addr))
		}
		if host != "" && net.ParseIP(host) == nil && host != "localhost" {
			if _, err := net.LookupHost(host); err != nil {
				errs = append(errs, fmt.Errorf("--addr %q: unknown host %q", c.Addr, host))
			}
		}
	}
	if c.SessionIdle < time.Minute || c.SessionMax < c.SessionIdle {
		errs = append(errs, fmt.Errorf("--session-idle %s and --session-max %s: want at least a minute idle and a maximum no shorter than the idle timeout", c.SessionIdle, c.SessionMax))
	}
	if c.SecretKey != "" {
		if _, err := c.SecretKeyBytes(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.SecretKey != "" && c.SecretKeyFile != "" {
		errs = append(errs, errors.New("ALLIANCE_SECRET_KEY and ALLIANCE_SECRET_KEY_FILE are both set: set one"))
	}
	errs = append(errs, c.OIDC.validate())
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--shutdown-timeout %s: want more than 0", c.ShutdownTimeout))
	}
	return errors.Join(errs...)
}

// Listen opens the listen socket, with a message that says what to do when
// the port is taken.
func (c *Config) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		if errors.Is(err, errAddrInUse) || strings.Contains(err.Error(), "address already in use") {
			return nil, fmt.Errorf("--addr %s: the port is already in use (is another alliance serve running?); choose another with --addr", c.Addr)
		}
		return nil, fmt.Errorf("--addr %s: %w", c.Addr, err)
	}
	return ln, nil
}

// Redacted returns the DB setting with any password hidden, for logs.
func (c *Config) Redacted() string {
	if u, err := url.Parse(c.DB); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	return c.DB
}

// SecretKeyBytes decodes SecretKey (64 hex characters).
func (c *Config) SecretKeyBytes() ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimSpace(c.SecretKey))
	if err != nil || len(b) != 32 {
		return nil, errors.New("ALLIANCE_SECRET_KEY: want 64 hex characters (32 random bytes; make one with: openssl rand -hex 32)")
	}
	return b, nil
}

// OIDCConfig is sign-in through an OpenID Connect identity provider (Entra
// ID and similar).
type OIDCConfig struct {
	Issuer       string // e.g. https://login.microsoftonline.com/<tenant>/v2.0
	ClientID     string
	ClientSecret string // a secret
	RedirectURL  string // e.g. https://alliance.example/sign-in/oidc/callback
	// GroupRoles maps the provider's group claim values to roles:
	// "group-id=intelligence_analyst;other-group=lro".
	GroupRoles string
	// Label is the sign-in button's text, e.g. "North Yorkshire Police".
	Label string
}

// Enabled reports whether OIDC sign-in is configured.
func (o OIDCConfig) Enabled() bool { return o.Issuer != "" }

func (o OIDCConfig) validate() error {
	if !o.Enabled() {
		return nil
	}
	var errs []error
	if u, err := url.Parse(o.Issuer); err != nil || u.Scheme == "" || u.Host == "" {
		errs = append(errs, fmt.Errorf("ALLIANCE_OIDC_ISSUER %q: want the provider's issuer URL", o.Issuer))
	}
	if o.ClientID == "" {
		errs = append(errs, errors.New("ALLIANCE_OIDC_CLIENT_ID: required when ALLIANCE_OIDC_ISSUER is set"))
	}
	if u, err := url.Parse(o.RedirectURL); err != nil || u.Scheme == "" || u.Host == "" || !strings.HasSuffix(u.Path, "/sign-in/oidc/callback") {
		errs = append(errs, fmt.Errorf("ALLIANCE_OIDC_REDIRECT_URL %q: want this service's https://…/sign-in/oidc/callback", o.RedirectURL))
	}
	if _, err := o.RoleMap(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// RoleMap parses GroupRoles into group → roles.
func (o OIDCConfig) RoleMap() (map[string][]string, error) {
	m := map[string][]string{}
	for _, pair := range strings.Split(o.GroupRoles, ";") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		g, r, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(g) == "" || strings.TrimSpace(r) == "" {
			return nil, fmt.Errorf("ALLIANCE_OIDC_GROUP_ROLES: %q is not group=role", pair)
		}
		m[strings.TrimSpace(g)] = append(m[strings.TrimSpace(g)], strings.TrimSpace(r))
	}
	return m, nil
}
