//! Webhooks go to public addresses only, unless the operator allows private ones: a URL on
//! this machine or a private network (loopback, RFC 1918, link-local such as a cloud's
//! metadata service) would let whoever subscribes a webhook make this server send requests
//! to places outside users are not meant to reach (request forgery). Names are checked when
//! a subscription is made ([`is_private_url`]) and again, resolved, when each request is
//! sent ([`PublicOnly`]), since a public name can point at a private address.

use std::net::{IpAddr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is on this machine or a private network: loopback, private, link-local,
/// carrier-grade NAT, unique-local, unspecified or broadcast.
pub fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => {
            let [a, b, ..] = ip.octets();
            ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || (a == 100 && (b & 0xc0) == 64)
        }
        IpAddr::V6(ip) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_private_ip(IpAddr::V4(v4)))
        }
    }
}

/// Whether the host of `url` names this machine or a private network by itself: a private
/// address ([`is_private_ip`]), `localhost`, or a name under `.localhost`, `.local` or
/// `.internal`. A URL that does not parse is not judged here.
pub fn is_private_url(url: &str) -> bool {
    let Ok(url) = Url::parse(url.trim()) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return is_private_ip(ip);
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || [".localhost", ".local", ".internal"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// A resolver that keeps the public addresses of a name only; a name with none fails to
/// resolve, which the request reports as unreachable.
pub(crate) struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !is_private_ip(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!(
                    "{host} chỉ trỏ tới địa chỉ nội bộ / {host} resolves to private addresses only"
                )
                .into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_hosts_are_told_from_public_ones() {
        for private in [
            "http://127.0.0.1:9000/h",
            "http://localhost/h",
            "http://LOCALHOST./h",
            "http://10.1.2.3/h",
            "http://172.16.0.1/h",
            "http://192.168.1.1/h",
            "http://169.254.169.254/latest",
            "http://100.64.1.1/h",
            "http://[::1]:80/h",
            "http://[fd00::1]/h",
            "http://[fe80::1]/h",
            "http://[::ffff:10.0.0.1]/h",
            "http://user:token@192.168.1.1/h",
            "http://db.internal/h",
            "http://printer.local/h",
        ] {
            assert!(is_private_url(private), "{private}");
        }
        for public in [
            "https://chat.example.vn/hooks/1",
            "https://8.8.8.8/h",
            "https://[2001:4860:4860::8888]/h",
            "not a url",
        ] {
            assert!(!is_private_url(public), "{public}");
        }
    }
}
