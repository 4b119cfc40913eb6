//! FIPA interoperability at the platform's edge: the XML envelope of the
//! HTTP message transport ([`envelope`]); the string ACL representation is in
//! `itinerant_core::fipa_string`.

pub mod envelope;
