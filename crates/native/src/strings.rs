//! Printable strings of interest: URLs, host names, IPv4 addresses and device paths.

use std::collections::BTreeSet;

/// Shortest printable run considered a string (bytes).
pub const MIN_STRING_LEN: usize = 4;
/// Most printable runs examined per library; the rest are not classified.
pub const MAX_STRINGS_SCANNED: usize = 200_000;
/// Most values reported per kind (URLs, hosts, IPv4, paths), after sorting.
pub const MAX_REPORTED_PER_KIND: usize = 256;
/// Longest single value kept (bytes); longer runs are cut at this length.
pub const MAX_STRING_LEN: usize = 1024;

/// Path prefixes that reveal device probing or storage access.
pub const PATH_PREFIXES: &[&str] = &["/sys/", "/proc/", "/data/", "/sdcard/"];

/// URL schemes recognised in strings.
pub const URL_SCHEMES: &[&str] = &["https://", "http://", "wss://", "ws://", "ftp://"];

/// Top-level domains that make a dotted token look like a host name. A closed list keeps
/// `libc.so`, `java.lang` and `R.string` out.
pub const HOST_TLDS: &[&str] = &[
    "com", "net", "org", "io", "cn", "co", "info", "biz", "me", "cc", "tv", "app", "dev", "ru",
    "de", "uk", "jp", "kr", "in", "us", "xyz", "top", "site", "online", "cloud", "ai", "gov",
    "edu", "mobi", "tech", "hk", "tw", "sg", "fr", "br", "example", "invalid", "local",
];

/// Strings of interest found in a library, each list sorted, deduplicated and capped at
/// [`MAX_REPORTED_PER_KIND`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterestingStrings {
    /// URLs with a known scheme (`https://host/path`).
    pub urls: Vec<String>,
    /// Domain-like host names (from URLs and from bare strings), lowercased.
    pub hosts: Vec<String>,
    /// Dotted-quad IPv4 addresses.
    pub ipv4: Vec<String>,
    /// Paths under `/sys/`, `/proc/`, `/data/`, `/sdcard/`.
    pub paths: Vec<String>,
    /// Printable runs examined.
    pub strings_scanned: usize,
    /// True when a cap ([`MAX_STRINGS_SCANNED`] or [`MAX_REPORTED_PER_KIND`]) cut the result.
    pub truncated: bool,
}

#[derive(Default)]
pub(crate) struct Collector {
    urls: BTreeSet<String>,
    hosts: BTreeSet<String>,
    ipv4: BTreeSet<String>,
    paths: BTreeSet<String>,
    scanned: usize,
    truncated: bool,
}

fn is_printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\t'
}

/// Characters that end a URL or path token.
fn is_token_end(c: char) -> bool {
    c.is_ascii_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '|' | '\\' | ',')
}

impl Collector {
    /// Scans one region for printable runs.
    pub(crate) fn scan(&mut self, region: &[u8]) {
        for run in region.split(|&b| !is_printable(b)) {
            if run.len() < MIN_STRING_LEN {
                continue;
            }
            if self.scanned >= MAX_STRINGS_SCANNED {
                self.truncated = true;
                return;
            }
            self.scanned = self.scanned.saturating_add(1);
            let run = run.get(..MAX_STRING_LEN).unwrap_or(run);
            // Printable ASCII only, so this cannot fail; skip rather than assume.
            if let Ok(s) = std::str::from_utf8(run) {
                self.classify(s);
            }
        }
    }

    fn classify(&mut self, s: &str) {
        let lower = s.to_ascii_lowercase();
        for scheme in URL_SCHEMES {
            let mut from = 0;
            while let Some(pos) = lower.get(from..).and_then(|t| t.find(scheme)) {
                let start = from.saturating_add(pos);
                let tail = s.get(start..).unwrap_or_default();
                let end = tail.find(is_token_end).unwrap_or(tail.len());
                let url = tail.get(..end).unwrap_or_default();
                let after = url.get(scheme.len()..).unwrap_or_default();
                let host = after.split(['/', '?', '#', ':']).next().unwrap_or_default();
                if !host.is_empty() {
                    self.urls.insert(url.to_owned());
                    if is_ipv4(host) {
                        self.ipv4.insert(host.to_owned());
                    } else if is_host(host) {
                        self.hosts.insert(host.to_ascii_lowercase());
                    }
                }
                from = start.saturating_add(end.max(scheme.len()));
            }
        }
        for prefix in PATH_PREFIXES {
            let mut from = 0;
            while let Some(pos) = s.get(from..).and_then(|t| t.find(prefix)) {
                let start = from.saturating_add(pos);
                let tail = s.get(start..).unwrap_or_default();
                let end = tail.find(is_token_end).unwrap_or(tail.len());
                // Inside a URL (`https://x/data/...`) the path is part of the URL, not a device path.
                let preceded_by_word =
                    s.get(..start)
                        .and_then(|p| p.chars().last())
                        .is_some_and(|c| {
                            c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/')
                        });
                if !preceded_by_word {
                    self.paths
                        .insert(tail.get(..end).unwrap_or_default().to_owned());
                }
                from = start.saturating_add(end.max(prefix.len()));
            }
        }
        for token in s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-')) {
            let token = token.trim_matches('.');
            if is_ipv4(token) {
                self.ipv4.insert(token.to_owned());
            } else if is_host(token) {
                self.hosts.insert(token.to_ascii_lowercase());
            }
        }
    }

    pub(crate) fn finish(self) -> InterestingStrings {
        let mut truncated = self.truncated;
        let mut cap = |set: BTreeSet<String>| {
            if set.len() > MAX_REPORTED_PER_KIND {
                truncated = true;
            }
            set.into_iter()
                .take(MAX_REPORTED_PER_KIND)
                .collect::<Vec<_>>()
        };
        let urls = cap(self.urls);
        let hosts = cap(self.hosts);
        let ipv4 = cap(self.ipv4);
        let paths = cap(self.paths);
        InterestingStrings {
            urls,
            hosts,
            ipv4,
            paths,
            strings_scanned: self.scanned,
            truncated,
        }
    }
}

/// A dotted quad with every octet in 0..=255 and no leading zeros.
pub(crate) fn is_ipv4(s: &str) -> bool {
    let mut n = 0usize;
    for part in s.split('.') {
        n = n.saturating_add(1);
        if part.is_empty()
            || part.len() > 3
            || !part.bytes().all(|b| b.is_ascii_digit())
            || (part.len() > 1 && part.starts_with('0'))
            || part.parse::<u16>().map_or(true, |v| v > 255)
        {
            return false;
        }
    }
    n == 4
}

/// Domain-like: at least two labels of `[a-z0-9-]`, no label starting or ending with `-`, a
/// top-level domain from [`HOST_TLDS`], and a second-level label with at least one letter.
pub(crate) fn is_host(s: &str) -> bool {
    if s.len() > 253 || s.len() < 4 {
        return false;
    }
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    for label in &labels {
        if label.is_empty()
            || label.len() > 63
            || label.starts_with('-')
            || label.ends_with('-')
            || !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return false;
        }
    }
    let Some((tld, rest)) = labels.split_last() else {
        return false;
    };
    let tld = tld.to_ascii_lowercase();
    HOST_TLDS.contains(&tld.as_str())
        && rest
            .last()
            .is_some_and(|l| l.bytes().any(|b| b.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(data: &[u8]) -> InterestingStrings {
        let mut c = Collector::default();
        c.scan(data);
        c.finish()
    }

    #[test]
    fn classifies() {
        let got = collect(
            b"\0https://native-tracker.example.com/beacon?x=1\0/sys/class/net/wlan0/address\0\
              connect 10.0.0.1 now\0libc.so\0java.lang.String\0api.umeng.com\0\
              cat /proc/self/maps\0http://192.168.1.1:8080/x\0999.1.1.1\0https://a.b/data/x\0",
        );
        assert_eq!(
            got.urls,
            [
                "http://192.168.1.1:8080/x",
                "https://a.b/data/x",
                "https://native-tracker.example.com/beacon?x=1"
            ]
        );
        assert_eq!(got.hosts, ["api.umeng.com", "native-tracker.example.com"]);
        assert_eq!(got.ipv4, ["10.0.0.1", "192.168.1.1"]);
        assert_eq!(
            got.paths,
            ["/proc/self/maps", "/sys/class/net/wlan0/address"]
        );
        assert!(!got.truncated);
    }

    #[test]
    fn caps() {
        let mut data = Vec::new();
        for i in 0..(MAX_REPORTED_PER_KIND + 10) {
            data.extend_from_slice(format!("/proc/{i}/x\0").as_bytes());
        }
        let got = collect(&data);
        assert_eq!(got.paths.len(), MAX_REPORTED_PER_KIND);
        assert!(got.truncated);
        assert!(got.paths.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ipv4_and_hosts() {
        assert!(is_ipv4("8.8.8.8"));
        assert!(!is_ipv4("1.2.3"));
        assert!(!is_ipv4("01.2.3.4"));
        assert!(!is_ipv4("1.2.3.4.5"));
        assert!(is_host("example.com"));
        assert!(!is_host("libfoo.so"));
        assert!(!is_host("123.com"));
        assert!(!is_host("-a.com"));
    }
}
