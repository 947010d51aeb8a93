//! Configuration: defaults, then a TOML file (`--config`), then `HEARSAY_*`
//! environment variables, then command-line flags. An unknown key is an
//! error that names the key and where it came from.
//!
//! See `hearsay.example.toml` for every key with its default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// The settings in force.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `listen`, `HEARSAY_LISTEN`, `--listen`: address to serve on.
    /// Default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// `data`, `HEARSAY_DATA`, `--data`: directory of the embedded store.
    /// Default `./hearsay-data`.
    pub data: PathBuf,
    /// `public_url`, `HEARSAY_PUBLIC_URL`: the base of short links as
    /// people see them (`https://go.example.com`). Default: the listen
    /// address over http.
    pub public_url: Option<String>,
    /// `flush_interval_ms`, `HEARSAY_FLUSH_INTERVAL_MS`: longest time an
    /// event waits in the queue before its batch is written. Default 100.
    pub flush_interval_ms: u64,
    /// `flush_max_events`, `HEARSAY_FLUSH_MAX_EVENTS`: largest batch.
    /// Default 5000.
    pub flush_max_events: usize,
    /// `queue_capacity`, `HEARSAY_QUEUE_CAPACITY`: events the queue holds
    /// before it drops (and counts) new ones. Default 100000.
    pub queue_capacity: usize,
    /// `max_body_bytes`, `HEARSAY_MAX_BODY_BYTES`: largest API request
    /// body. Default 65536.
    pub max_body_bytes: usize,
    /// `max_batch_events`, `HEARSAY_MAX_BATCH_EVENTS`: most events in one
    /// collector request. Default 100.
    pub max_batch_events: usize,
    /// `trust_forwarded_for`, `HEARSAY_TRUST_FORWARDED_FOR`: take the client
    /// address from `X-Forwarded-For` (behind a proxy you run). Default
    /// false.
    pub trust_forwarded_for: bool,
    /// `scanner_networks_path`, `HEARSAY_SCANNER_NETWORKS_PATH`: a file of
    /// email-scanner networks (CIDR a line) to use instead of the shipped
    /// `data/scanner-networks.txt`. Default: the shipped list.
    pub scanner_networks_path: Option<PathBuf>,
    /// `user_agent_retention_days`, `HEARSAY_USER_AGENT_RETENTION_DAYS`:
    /// days a raw user agent is kept after a site last sent it, for sites
    /// that set no retention of their own. Default 30.
    pub user_agent_retention_days: u32,
    /// `header_read_timeout_ms`, `HEARSAY_HEADER_READ_TIMEOUT_MS`: longest
    /// time a client may take to send a request's head, idle keep-alive
    /// time included, and then its body; then the connection is closed
    /// (408 for a body). Default 10000.
    pub header_read_timeout_ms: u64,
    /// `max_connections`, `HEARSAY_MAX_CONNECTIONS`: connections served at
    /// once; keep it under the open-file limit (`ulimit -n`). Default
    /// 10000.
    pub max_connections: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("./hearsay-data"),
            public_url: None,
            flush_interval_ms: 100,
            flush_max_events: 5000,
            queue_capacity: 100_000,
            max_body_bytes: 64 * 1024,
            max_batch_events: 100,
            trust_forwarded_for: false,
            scanner_networks_path: None,
            user_agent_retention_days: 30,
            header_read_timeout_ms: 10_000,
            max_connections: 10_000,
        }
    }
}

/// One layer of settings; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigLayer {
    pub listen: Option<SocketAddr>,
    pub data: Option<PathBuf>,
    pub public_url: Option<String>,
    pub flush_interval_ms: Option<u64>,
    pub flush_max_events: Option<usize>,
    pub queue_capacity: Option<usize>,
    pub max_body_bytes: Option<usize>,
    pub max_batch_events: Option<usize>,
    pub trust_forwarded_for: Option<bool>,
    pub scanner_networks_path: Option<PathBuf>,
    pub user_agent_retention_days: Option<u32>,
    pub header_read_timeout_ms: Option<u64>,
    pub max_connections: Option<usize>,
}

impl Config {
    /// Applies one layer over the current settings.
    pub fn apply(&mut self, layer: ConfigLayer) {
        let ConfigLayer {
            listen,
            data,
            public_url,
            flush_interval_ms,
            flush_max_events,
            queue_capacity,
            max_body_bytes,
            max_batch_events,
            trust_forwarded_for,
            scanner_networks_path,
            user_agent_retention_days,
            header_read_timeout_ms,
            max_connections,
        } = layer;
        if let Some(v) = listen {
            self.listen = v;
        }
        if let Some(v) = data {
            self.data = v;
        }
        if public_url.is_some() {
            self.public_url = public_url;
        }
        if let Some(v) = flush_interval_ms {
            self.flush_interval_ms = v;
        }
        if let Some(v) = flush_max_events {
            self.flush_max_events = v;
        }
        if let Some(v) = queue_capacity {
            self.queue_capacity = v;
        }
        if let Some(v) = max_body_bytes {
            self.max_body_bytes = v;
        }
        if let Some(v) = max_batch_events {
            self.max_batch_events = v;
        }
        if let Some(v) = trust_forwarded_for {
            self.trust_forwarded_for = v;
        }
        if scanner_networks_path.is_some() {
            self.scanner_networks_path = scanner_networks_path;
        }
        if let Some(v) = user_agent_retention_days {
            self.user_agent_retention_days = v;
        }
        if let Some(v) = header_read_timeout_ms {
            self.header_read_timeout_ms = v;
        }
        if let Some(v) = max_connections {
            self.max_connections = v;
        }
    }

    /// Builds the settings from every layer. `flags` is the last layer.
    ///
    /// # Errors
    ///
    /// Fails if the file cannot be read or parsed, a key is unknown, or a
    /// value has the wrong type; the message names the key and its source.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: ConfigLayer,
    ) -> anyhow::Result<Config> {
        let mut config = Config::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading config file {}", path.display()))?;
            let layer: ConfigLayer = toml::from_str(&text)
                .with_context(|| format!("in config file {}", path.display()))?;
            config.apply(layer);
        }
        config.apply(env_layer(env)?);
        config.apply(flags);
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.flush_max_events == 0
            || self.queue_capacity == 0
            || self.max_batch_events == 0
            || self.max_connections == 0
        {
            bail!(
                "flush_max_events, queue_capacity, max_batch_events and max_connections must be at least 1"
            );
        }
        if let Some(url) = &self.public_url {
            let parsed =
                url::Url::parse(url).with_context(|| format!("public_url {url:?} is not a URL"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                bail!("public_url {url:?} must be an http or https URL");
            }
        }
        if self.header_read_timeout_ms == 0 {
            bail!("header_read_timeout_ms must be at least 1");
        }
        if self.max_body_bytes < 1024 {
            bail!(
                "max_body_bytes is {}; at least 1024 are needed for one event",
                self.max_body_bytes
            );
        }
        Ok(())
    }

    /// The base URL short links are shown under.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }
}

/// Reads `HEARSAY_*` variables into a layer. Each value is read as TOML
/// (a number, a boolean) and, failing that, as a string.
fn env_layer(env: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<ConfigLayer> {
    let mut table = toml::Table::new();
    for (name, value) in env {
        let Some(key) = name.strip_prefix("HEARSAY_") else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .filter(|v| !v.is_table() && !v.is_array())
            .unwrap_or(toml::Value::String(value));
        // Checked alone first, so an error names the variable at fault.
        let mut alone = toml::Table::new();
        alone.insert(key.clone(), parsed.clone());
        ConfigLayer::deserialize(toml::Value::Table(alone)).map_err(|error| {
            anyhow::anyhow!(
                "in environment variable {name}: {}",
                error.to_string().trim()
            )
        })?;
        table.insert(key, parsed);
    }
    Ok(ConfigLayer::deserialize(toml::Value::Table(table))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hearsay.toml");
        std::fs::write(&file, "flush_interval_ms = 250\nqueue_capacity = 10\n").unwrap();
        let flags = ConfigLayer {
            queue_capacity: Some(30),
            ..Default::default()
        };
        let config = Config::load(
            Some(&file),
            env(&[
                ("HEARSAY_QUEUE_CAPACITY", "20"),
                ("HEARSAY_TRUST_FORWARDED_FOR", "true"),
                ("PATH", "/bin"),
            ]),
            flags,
        )
        .unwrap();
        assert_eq!(config.flush_interval_ms, 250);
        assert_eq!(config.queue_capacity, 30);
        assert!(config.trust_forwarded_for);
        assert_eq!(config.flush_max_events, 5000);
    }

    #[test]
    fn unknown_keys_are_named_with_their_source() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hearsay.toml");
        std::fs::write(&file, "flush_intervl_ms = 250\n").unwrap();
        let err = Config::load(Some(&file), env(&[]), ConfigLayer::default()).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("flush_intervl_ms"), "{text}");
        assert!(text.contains("hearsay.toml"), "{text}");

        let err =
            Config::load(None, env(&[("HEARSAY_LISTN", "x")]), ConfigLayer::default()).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("HEARSAY_LISTN"), "{text}");
    }

    #[test]
    fn values_that_cannot_work_are_refused() {
        for (name, value, words) in [
            ("HEARSAY_PUBLIC_URL", "javascript:alert(1)", "http or https"),
            ("HEARSAY_MAX_BODY_BYTES", "0", "at least 1024"),
        ] {
            let err = Config::load(None, env(&[(name, value)]), ConfigLayer::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(words), "{name}={value}: {err}");
        }
    }

    #[test]
    fn wrong_types_are_refused() {
        let err = Config::load(
            None,
            env(&[("HEARSAY_QUEUE_CAPACITY", "lots")]),
            ConfigLayer::default(),
        )
        .unwrap_err();
        assert!(
            format!("{err:#}").contains("HEARSAY_QUEUE_CAPACITY"),
            "{err:#}"
        );
    }
}
