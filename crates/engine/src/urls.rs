//! The host of a URL found in code or resources, shared by the network collector (endpoints)
//! and the analysis of unknown components (the hosts they name): one parser, one notion of a
//! valid host.

/// The lower-cased host of `url` (`scheme://[user@]host[:port][/…]`), when it is a plausible
/// DNS name or IPv4 address: dotted, at most 253 bytes, only letters, digits, dots and hyphens,
/// no leading or trailing dot. Format strings (`https://graph.%s`), templates and empty
/// authorities are not hosts.
pub(crate) fn host(url: &str) -> Option<String> {
    let after = url.split_once("://")?.1;
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = host_port
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    valid.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::host;

    #[test]
    fn hosts_are_dns_names_or_addresses() {
        assert_eq!(
            host("https://Log.Example.com:8443/x").as_deref(),
            Some("log.example.com")
        );
        assert_eq!(host("http://u@10.0.0.1/").as_deref(), Some("10.0.0.1"));
        assert_eq!(host("https://graph.%s/v2"), None);
        assert_eq!(host("https://.facebook.com"), None);
        assert_eq!(host("http://localhost/"), None);
        assert_eq!(host("https://"), None);
        assert_eq!(host("no scheme"), None);
    }
}
