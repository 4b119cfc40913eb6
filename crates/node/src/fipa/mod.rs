//! FIPA interoperability at the platform's edge: the XML envelope of the
//! HTTP message transport ([`envelope`]), the multipart body ([`multipart`])
//! and the listener ([`http`]); the string ACL representation is in
//! `itinerant_core::fipa_string`.

pub mod envelope;
pub mod http;
pub mod multipart;
pub mod outbound;
