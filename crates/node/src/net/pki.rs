//! The cluster's certificate authority: makes the CA, node certificates
//! and client certificates (ed25519 keys, rcgen), in memory; `itin init`
//! writes them to files, `itin demo` and tests use them as they are.
//!
//! What a certificate says, and why:
//! - the CA is self-signed and named after its own key
//!   ("Itinerant cluster CA <first 8 bytes of its key, hex>"), so two
//!   clusters' CAs never share a name, and the issuer can be rebuilt from
//!   the key alone to issue more certificates later;
//! - a node certificate names the node as its one DNS name (what peers
//!   check against the node's hello and dial by), for server and client
//!   authentication;
//! - a client certificate has no DNS name (so it can never speak as a
//!   node) and serves client authentication only.
//!
//! Not yet: expiry (certificates are valid until the year 4096) and
//! revocation; rotating the CA is the way to shut someone out.

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SerialNumber, PKCS_ED25519,
};
use rustls_pki_types::ServerName;

use crate::net::tls::Credentials;

/// A certificate with its private key, both PEM.
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

/// A cluster certificate authority able to sign.
pub struct Authority {
    key: KeyPair,
    cert: Certificate,
}

/// Checks that `name` can be a node's name in a certificate: a DNS name
/// (letters, digits, `-`, `.`), not an IP address.
pub fn check_node_name(name: &str) -> Result<(), String> {
    let valid = name.len() <= 63
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && matches!(ServerName::try_from(name), Ok(ServerName::DnsName(_)));
    if valid {
        Ok(())
    } else {
        Err(format!("\"{name}\" cannot name a node in a certificate: use letters, digits, '-' and '.' (at most 63)"))
    }
}

fn rcgen_error(what: &str) -> impl Fn(rcgen::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// A serial number unique to the certificate of `key` (each certificate
/// gets a fresh key): its first 16 bytes, made positive.
fn serial_of(key: &KeyPair) -> SerialNumber {
    let mut bytes: Vec<u8> = key.public_key_raw().iter().take(16).copied().collect();
    bytes[0] &= 0x7f;
    SerialNumber::from_slice(&bytes)
}

fn ca_params(key: &KeyPair) -> CertificateParams {
    let mut params = CertificateParams::default();
    let tag: String = key.public_key_raw().iter().take(8).map(|b| format!("{b:02x}")).collect();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, format!("Itinerant cluster CA {tag}"));
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.serial_number = Some(serial_of(key));
    params
}

impl Authority {
    /// A new CA with a fresh key.
    pub fn generate() -> Result<Authority, String> {
        let key = KeyPair::generate_for(&PKCS_ED25519).map_err(rcgen_error("generating the CA key"))?;
        Authority::from_key(key)
    }

    /// The CA of `key_pem` (its `ca.key`), able to issue more certificates
    /// that chain to the `ca.pem` made with it.
    pub fn from_key_pem(key_pem: &str) -> Result<Authority, String> {
        let key = KeyPair::from_pem(key_pem).map_err(rcgen_error("reading the CA key"))?;
        if !key.is_compatible(&PKCS_ED25519) {
            return Err("the CA key is not an ed25519 key".into());
        }
        Authority::from_key(key)
    }

    fn from_key(key: KeyPair) -> Result<Authority, String> {
        let cert = ca_params(&key).self_signed(&key).map_err(rcgen_error("signing the CA certificate"))?;
        Ok(Authority { key, cert })
    }

    pub fn cert_pem(&self) -> String {
        self.cert.pem()
    }

    pub fn key_pem(&self) -> String {
        self.key.serialize_pem()
    }

    /// A certificate for node `name`.
    pub fn issue_node(&self, name: &str) -> Result<Issued, String> {
        check_node_name(name)?;
        let mut params =
            CertificateParams::new(vec![name.to_owned()]).map_err(rcgen_error("the node certificate's name"))?;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params, name, "Itinerant node")
    }

    /// A certificate for client `name` (e.g. "admin").
    pub fn issue_client(&self, name: &str) -> Result<Issued, String> {
        check_node_name(name)?;
        let mut params = CertificateParams::default();
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params, name, "Itinerant client")
    }

    fn issue(&self, mut params: CertificateParams, name: &str, organization: &str) -> Result<Issued, String> {
        let key = KeyPair::generate_for(&PKCS_ED25519).map_err(rcgen_error("generating a key"))?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        dn.push(DnType::OrganizationName, organization);
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.serial_number = Some(serial_of(&key));
        let cert = params.signed_by(&key, &self.cert, &self.key).map_err(rcgen_error("signing a certificate"))?;
        Ok(Issued { cert_pem: cert.pem(), key_pem: key.serialize_pem() })
    }

    /// Node `name`'s credentials, in memory (demo, tests).
    pub fn node_credentials(&self, name: &str) -> Result<Credentials, String> {
        let issued = self.issue_node(name)?;
        Credentials::from_pem(self.cert_pem().as_bytes(), issued.cert_pem.as_bytes(), issued.key_pem.as_bytes())
    }

    /// Client `name`'s credentials, in memory (tests).
    pub fn client_credentials(&self, name: &str) -> Result<Credentials, String> {
        let issued = self.issue_client(name)?;
        Credentials::from_pem(self.cert_pem().as_bytes(), issued.cert_pem.as_bytes(), issued.key_pem.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_must_be_dns_names() {
        for good in ["alpha", "n1", "node-2", "a.b"] {
            assert!(check_node_name(good).is_ok(), "{good}");
        }
        for bad in ["", "a b", "a_b", "x@y", "127.0.0.1", "émile", &"x".repeat(64)] {
            assert!(check_node_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_ca_rebuilt_from_its_key_issues_certificates_that_chain_to_the_first() {
        let ca = Authority::generate().unwrap();
        let again = Authority::from_key_pem(&ca.key_pem()).unwrap();
        let issued = again.issue_node("beta").unwrap();
        // The original ca.pem verifies what the rebuilt issuer signed.
        let creds =
            Credentials::from_pem(ca.cert_pem().as_bytes(), issued.cert_pem.as_bytes(), issued.key_pem.as_bytes())
                .unwrap();
        creds.verify_chain().unwrap();
        let other = Authority::generate().unwrap();
        let foreign =
            Credentials::from_pem(other.cert_pem().as_bytes(), issued.cert_pem.as_bytes(), issued.key_pem.as_bytes())
                .unwrap();
        assert!(foreign.verify_chain().is_err());
    }
}
