use super::*;
use proptest::prelude::*;

const JADE_STYLE: &str = r#"<?xml version="1.0"?>
<envelope>
  <params index="1">
    <to><agent-identifier><name>echo@itin</name>
      <addresses><url>http://127.0.0.1:7779/acc</url></addresses></agent-identifier></to>
    <from><agent-identifier><name>ping@jade</name>
      <addresses><url>http://127.0.0.1:7778/acc</url><url>http://backup:7778/acc</url></addresses>
      <resolvers><agent-identifier><name>ams@jade</name></agent-identifier></resolvers></agent-identifier></from>
    <comments>a &lt;comment&gt; &amp; more</comments>
    <acl-representation>fipa.acl.rep.string.std</acl-representation>
    <payload-length>123</payload-length>
    <payload-encoding>US-ASCII</payload-encoding>
    <date>20261123T041200000Z</date>
    <intended-receiver><agent-identifier><name>echo@itin</name></agent-identifier></intended-receiver>
    <received><received-by value="http://127.0.0.1:7778/acc"/><received-date value="20261123T041200001Z"/><received-id value="id-1"/></received>
  </params>
  <params index="2"><payload-length>124</payload-length></params>
</envelope>"#;

#[test]
fn parses_a_jade_style_envelope_with_every_field() {
    let env = parse_envelope(JADE_STYLE).unwrap();
    assert_eq!(env.to.len(), 1);
    assert_eq!(env.to[0].name, "echo@itin");
    assert_eq!(env.to[0].addresses, ["http://127.0.0.1:7779/acc"]);
    let from = env.from.as_ref().unwrap();
    assert_eq!(from.name, "ping@jade");
    assert_eq!(from.addresses.len(), 2);
    assert_eq!(from.resolvers, [AgentIdentifier::named("ams@jade")]);
    assert_eq!(env.comments.as_deref(), Some("a <comment> & more"));
    assert_eq!(env.acl_representation.as_deref(), Some("fipa.acl.rep.string.std"));
    // The later params block overrides.
    assert_eq!(env.payload_length, Some(124));
    assert_eq!(env.payload_encoding.as_deref(), Some("US-ASCII"));
    assert_eq!(env.date.as_deref(), Some("20261123T041200000Z"));
    assert_eq!(env.intended_receiver[0].name, "echo@itin");
    assert_eq!(env.received[0].by, "http://127.0.0.1:7778/acc");
    assert_eq!(env.received[0].id.as_deref(), Some("id-1"));
    assert_eq!(parse_envelope(&print_envelope(&env)).unwrap(), env);
}

#[test]
fn malformed_envelopes_are_refused_with_an_offset() {
    let cases: &[(&str, &str)] = &[
        ("", "no root"),
        ("<envelope>", "not closed"),
        ("<envelope><params></envelope>", "malformed"),
        ("<letter/>", "not <envelope>"),
        ("<envelope/>", "without <params>"),
        ("<envelope><params><payload-length>ten</payload-length></params></envelope>", "not a number"),
        ("<envelope><params><to><agent-identifier/></to></params></envelope>", "without <name>"),
        ("<envelope><params/></envelope><envelope/>", "second root"),
        ("<envelope><params><received/></params></envelope>", "received"),
        ("<envelope a=b/>", "attribute"),
    ];
    for (text, want) in cases {
        let e = parse_envelope(text).unwrap_err();
        assert!(e.message.contains(want), "{text}: {e}");
        assert!(e.offset <= text.len(), "{text}: {e}");
    }
    let deep = format!("<envelope>{}{}</envelope>", "<a>".repeat(MAX_XML_DEPTH), "</a>".repeat(MAX_XML_DEPTH));
    assert!(parse_envelope(&deep).unwrap_err().message.contains("nesting"));
    let big = format!("<envelope><params><comments>{}</comments></params></envelope>", "x".repeat(MAX_ENVELOPE_BYTES));
    assert!(parse_envelope(&big).unwrap_err().message.contains("longer"));
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9@:/.&<>\"'_-]([a-zA-Z0-9@:/.&<>\"' _-]{0,18}[a-zA-Z0-9@:/.&<>\"'_-])?"
}

fn aid() -> impl Strategy<Value = AgentIdentifier> {
    let plain = (text(), prop::collection::vec(text(), 0..3)).prop_map(|(name, addresses)| AgentIdentifier {
        name,
        addresses,
        ..Default::default()
    });
    (text(), prop::collection::vec(text(), 0..3), prop::collection::vec(plain, 0..2))
        .prop_map(|(name, addresses, resolvers)| AgentIdentifier { name, addresses, resolvers, user: vec![] })
}

prop_compose! {
    fn envelope()(
        to in prop::collection::vec(aid(), 1..3),
        from in prop::option::of(aid()),
        texts in prop::collection::vec(prop::option::of(text()), 4),
        payload_length in prop::option::of(any::<u64>()),
        intended_receiver in prop::collection::vec(aid(), 0..2),
        received in prop::collection::vec((text(), prop::option::of(text()), text(), prop::option::of(text()), prop::option::of(text())), 0..2),
    ) -> Envelope {
        Envelope {
            to, from, comments: texts[0].clone(), acl_representation: texts[1].clone(), payload_length,
            payload_encoding: texts[2].clone(), date: texts[3].clone(), intended_receiver,
            received: received.into_iter().map(|(by, from, date, id, via)| Received { by, from, date, id, via }).collect(),
        }
    }
}

proptest! {
    #[test]
    fn print_then_parse_is_identity(env in envelope()) {
        prop_assert_eq!(parse_envelope(&print_envelope(&env)).unwrap(), env);
    }

    #[test]
    fn arbitrary_input_never_panics(s in "[<>/a-z=\" !?&;-]{0,120}") {
        let _ = parse_envelope(&s);
    }
}
