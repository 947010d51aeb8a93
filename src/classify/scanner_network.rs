//! Address ranges of email security scanners (DOMAIN.md B): Safe Links and
//! similar gateways fetch links with ordinary browser user agents, so only
//! their addresses give them away.
//!
//! The list ships as `data/scanner-networks.txt` and can be replaced by a
//! file of the same format at start. The address is only compared, never
//! kept.

use std::net::IpAddr;
use std::path::Path;

use anyhow::Context;
use ipnet::IpNet;

const SHIPPED: &str = include_str!("../../data/scanner-networks.txt");

/// A set of scanner networks.
#[derive(Clone, Debug, Default)]
pub struct ScannerNetworks {
    /// The networks as sorted, merged ranges of addresses, IPv4 ones in
    /// their IPv6-mapped form, for a binary search per request.
    ranges: Vec<(u128, u128)>,
    count: usize,
}

/// A line of a scanner-network file that is not a network.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {text:?} is not a network in CIDR form")]
pub struct NetworkLineError {
    pub line: usize,
    pub text: String,
    #[source]
    pub source: ipnet::AddrParseError,
}

impl ScannerNetworks {
    /// The list that ships with hearsay.
    pub fn shipped() -> ScannerNetworks {
        ScannerNetworks::parse(SHIPPED).expect("the shipped scanner-networks.txt parses")
    }

    /// Reads a scanner-network file: one CIDR network a line, `#` starts a
    /// comment, blank lines are skipped.
    ///
    /// # Errors
    ///
    /// Fails if the file cannot be read or a line is not a network; the
    /// error names the file and the line.
    pub fn from_path(path: &Path) -> anyhow::Result<ScannerNetworks> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading scanner networks {}", path.display()))?;
        ScannerNetworks::parse(&text)
            .with_context(|| format!("reading scanner networks {}", path.display()))
    }

    /// Parses the text of a scanner-network file.
    ///
    /// # Errors
    ///
    /// Fails on the first line that is not a network.
    pub fn parse(text: &str) -> Result<ScannerNetworks, NetworkLineError> {
        let mut networks = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let network = line.split('#').next().unwrap_or_default().trim();
            if network.is_empty() {
                continue;
            }
            let parsed = network
                .parse::<IpNet>()
                .map_err(|source| NetworkLineError {
                    line: index + 1,
                    text: network.to_owned(),
                    source,
                })?;
            networks.push(parsed);
        }
        let mut ranges: Vec<(u128, u128)> = networks
            .iter()
            .map(|network| (as_u128(network.network()), as_u128(network.broadcast())))
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(u128, u128)> = Vec::with_capacity(ranges.len());
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        Ok(ScannerNetworks {
            ranges: merged,
            count: networks.len(),
        })
    }

    /// Whether the address lies in one of the networks. IPv4 addresses
    /// mapped into IPv6 (`::ffff:a.b.c.d`) are compared as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = as_u128(ip);
        let after = self.ranges.partition_point(|(start, _)| *start <= ip);
        after > 0 && ip <= self.ranges[after - 1].1
    }

    /// How many networks the set holds.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the set holds no network.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// An address as a number, IPv4 in its IPv6-mapped form (`::ffff:a.b.c.d`),
/// so both families sort on one line and a mapped address is its IPv4 one.
fn as_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_shipped_list_holds_the_safe_links_addresses_seen() {
        // DOMAIN.md B: Safe Links fetches came from these addresses.
        let shipped = ScannerNetworks::shipped();
        for seen in ["40.107.218.12", "40.94.16.7", "40.107.235.1", "40.94.29.84"] {
            assert!(shipped.contains(ip(seen)), "{seen}");
        }
        assert!(shipped.contains(ip("::ffff:40.94.29.84")));
    }

    #[test]
    fn other_addresses_are_not_scanners() {
        let shipped = ScannerNetworks::shipped();
        for other in ["192.0.2.1", "8.8.8.8", "2001:db8::1", "40.108.0.1"] {
            assert!(!shipped.contains(ip(other)), "{other}");
        }
    }

    #[test]
    fn edges_overlaps_and_both_families() {
        let nets = ScannerNetworks::parse(
            "10.0.0.0/24\n10.0.0.128/25 # inside the first\n10.0.1.0/24\n2001:db8::/32\n",
        )
        .unwrap();
        assert_eq!(nets.len(), 4);
        for inside in [
            "10.0.0.0",
            "10.0.0.255",
            "10.0.1.255",
            "::ffff:10.0.1.7",
            "2001:db8::1",
        ] {
            assert!(nets.contains(ip(inside)), "{inside}");
        }
        for outside in ["9.255.255.255", "10.0.2.0", "2001:db9::", "::1", "0.0.0.0"] {
            assert!(!nets.contains(ip(outside)), "{outside}");
        }
        assert!(!ScannerNetworks::default().contains(ip("10.0.0.1")));
    }

    #[test]
    fn a_bad_line_is_named() {
        let err = ScannerNetworks::parse("10.0.0.0/8\n# note\n\nnot-a-net # x\n").unwrap_err();
        assert_eq!(err.line, 4);
        assert_eq!(err.text, "not-a-net");
    }

    #[test]
    fn a_replacement_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nets.txt");
        std::fs::write(&path, "198.51.100.0/24 # test vendor\n").unwrap();
        let nets = ScannerNetworks::from_path(&path).unwrap();
        assert_eq!(nets.len(), 1);
        assert!(nets.contains(ip("198.51.100.9")));
        assert!(!nets.contains(ip("40.107.0.1")));
    }

    #[test]
    fn a_missing_file_names_its_path() {
        let err = ScannerNetworks::from_path(Path::new("/nonexistent/nets.txt")).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/nets.txt"));
    }
}
