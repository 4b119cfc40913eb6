use super::*;
use proptest::prelude::*;

fn aid(name: &str, addresses: &[&str]) -> AgentIdentifier {
    AgentIdentifier {
        name: name.into(),
        addresses: addresses.iter().map(|a| a.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn parses_a_message_with_every_parameter() {
    let text = r#"(request
        :sender (agent-identifier :name ping@jade :addresses (sequence http://127.0.0.1:7778/acc)
                 :resolvers (sequence (agent-identifier :name df@jade)))
        :receiver (set (agent-identifier :name echo@itin :addresses (sequence http://127.0.0.1:7779/acc http://h:1/acc))
                       (agent-identifier :name b@itin))
        :reply-to (set (agent-identifier :name ping@jade))
        :content "((action (agent-identifier :name echo@itin) (say \"hi \\ there\")))"
        :language fipa-sl0 :encoding utf-8 :ontology "weather ontology" :protocol fipa-request
        :conversation-id c-42 :reply-with r1 :in-reply-to r0 :reply-by 20261123T041200000Z
        :X-JADE-hops 3 :X-trace (a "b" (c 1.5)))"#;
    let m = parse_message(text).unwrap();
    assert_eq!(m.performative, "request");
    let sender = m.sender.as_ref().unwrap();
    assert_eq!(sender.name, "ping@jade");
    assert_eq!(sender.addresses, ["http://127.0.0.1:7778/acc"]);
    assert_eq!(sender.resolvers, [AgentIdentifier::named("df@jade")]);
    assert_eq!(m.receivers.len(), 2);
    assert_eq!(m.receivers[0].addresses.len(), 2);
    assert_eq!(m.reply_to, [AgentIdentifier::named("ping@jade")]);
    assert_eq!(m.content.as_deref(), Some(r#"((action (agent-identifier :name echo@itin) (say "hi \ there")))"#));
    assert_eq!(m.language.as_deref(), Some("fipa-sl0"));
    assert_eq!(m.encoding.as_deref(), Some("utf-8"));
    assert_eq!(m.ontology.as_deref(), Some("weather ontology"));
    assert_eq!(m.protocol.as_deref(), Some("fipa-request"));
    assert_eq!(m.conversation_id.as_deref(), Some("c-42"));
    assert_eq!(m.reply_with.as_deref(), Some("r1"));
    assert_eq!(m.in_reply_to.as_deref(), Some("r0"));
    assert_eq!(m.reply_by.as_deref(), Some("20261123T041200000Z"));
    assert_eq!(m.user[0], ("X-JADE-hops".to_string(), Expr::Word("3".into())));
    assert_eq!(
        m.user[1].1,
        Expr::List(vec![
            Expr::Word("a".into()),
            Expr::Str("b".into()),
            Expr::List(vec![Expr::Word("c".into()), Expr::Word("1.5".into())])
        ])
    );
    // Printing and parsing again gives the same message.
    assert_eq!(parse_message(&print_message(&m)).unwrap(), m);
}

#[test]
fn prints_in_the_spec_style() {
    let m = AclMessage {
        performative: "inform".into(),
        sender: Some(aid("a@p", &["http://host:7778/acc"])),
        receivers: vec![aid("b@q", &[])],
        content: Some("say \"x\\y\"".into()),
        language: Some("fipa-sl".into()),
        ontology: Some("two words".into()),
        reply_by: Some("20261123T041200000Z".into()),
        ..Default::default()
    };
    assert_eq!(
        print_message(&m),
        r#"(inform :sender (agent-identifier :name a@p :addresses (sequence http://host:7778/acc)) :receiver (set (agent-identifier :name b@q)) :content "say \"x\\y\"" :language fipa-sl :ontology "two words" :reply-by 20261123T041200000Z)"#
    );
}

#[test]
fn all_performatives_parse_and_case_is_folded() {
    for p in PERFORMATIVES {
        let m = parse_message(&format!("({} :content \"x\")", p.to_uppercase())).unwrap();
        assert_eq!(m.performative, p);
    }
}

#[test]
fn byte_length_strings_and_bare_receivers_are_read() {
    let m = parse_message("(inform :receiver (agent-identifier :name b@q) :content #5\"a\"b c)").unwrap();
    assert_eq!(m.content.as_deref(), Some("a\"b c"));
    assert_eq!(m.receivers, [AgentIdentifier::named("b@q")]);
}

#[test]
fn malformed_input_gives_the_offset() {
    let cases: &[(&str, usize)] = &[
        ("", 0),
        ("inform", 0),
        ("(inform :content \"abc", 17),
        ("(inform :content \"x\") extra", 22),
        ("(shout :content x)", 1),
        ("(inform content x)", 8),
        ("(inform :content)", 8),
        ("(inform :colour red)", 8),
        ("(inform :sender (agent-identifier :addresses (sequence u)))", 16),
        ("(inform :sender (agent-identifier :name))", 16),
        ("(inform :receiver (list x))", 18),
        ("(inform :content x :content y)", 19),
        ("(inform :content #9\"abc)", 17),
        ("(inform :content #\"abc)", 17),
        ("(inform :content x))", 19),
        ("(inform :language (a b))", 18),
        ("()", 0),
    ];
    for (text, offset) in cases {
        let e = parse_message(text).unwrap_err();
        assert_eq!(e.offset, *offset, "{text}: {e}");
    }
}

#[test]
fn limits_are_enforced() {
    let deep = format!("(inform :X-deep {}{})", "(".repeat(MAX_DEPTH + 5), ")".repeat(MAX_DEPTH + 5));
    assert!(parse_message(&deep).unwrap_err().message.contains("nesting"));
    let ok_depth = format!("(inform :X-deep {}{})", "(".repeat(MAX_DEPTH - 2), ")".repeat(MAX_DEPTH - 2));
    parse_message(&ok_depth).unwrap();
    let big = format!("(inform :content \"{}\")", "x".repeat(MAX_MESSAGE_BYTES));
    assert!(parse_message(&big).unwrap_err().message.contains("longer"));
}

fn word() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-zA-Z0-9@._/:-]{0,12}"
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![word(), any::<String>().prop_map(|s| s.chars().take(20).collect())]
}

fn user_name() -> impl Strategy<Value = String> {
    "X-[a-zA-Z0-9-]{1,8}"
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![word().prop_map(Expr::Word), text().prop_map(Expr::Str)];
    leaf.prop_recursive(4, 24, 4, |inner| prop::collection::vec(inner, 0..4).prop_map(Expr::List))
}

fn plain_agent_id() -> impl Strategy<Value = AgentIdentifier> {
    (text(), prop::collection::vec(text(), 0..3), prop::collection::vec((user_name(), expr()), 0..2))
        .prop_map(|(name, addresses, user)| AgentIdentifier { name, addresses, resolvers: vec![], user })
}

fn agent_id() -> impl Strategy<Value = AgentIdentifier> {
    (plain_agent_id(), prop::collection::vec(plain_agent_id(), 0..2)).prop_map(|(mut a, resolvers)| {
        a.resolvers = resolvers;
        a
    })
}

prop_compose! {
    fn message()(
        performative in prop::sample::select(PERFORMATIVES.to_vec()),
        sender in prop::option::of(agent_id()),
        receivers in prop::collection::vec(agent_id(), 0..3),
        reply_to in prop::collection::vec(agent_id(), 0..2),
        content in prop::option::of(text()),
        texts in prop::collection::vec(prop::option::of(text()), 8),
        user in prop::collection::vec((user_name(), expr()), 0..3),
    ) -> AclMessage {
        AclMessage {
            performative: performative.to_string(),
            sender, receivers, reply_to, content,
            language: texts[0].clone(), encoding: texts[1].clone(), ontology: texts[2].clone(),
            protocol: texts[3].clone(), conversation_id: texts[4].clone(), reply_with: texts[5].clone(),
            in_reply_to: texts[6].clone(), reply_by: texts[7].clone(), user,
        }
    }
}

proptest! {
    #[test]
    fn print_then_parse_is_identity(m in message()) {
        let printed = print_message(&m);
        prop_assert_eq!(parse_message(&printed).unwrap(), m);
    }

    #[test]
    fn arbitrary_input_never_panics(s in ".{0,200}") {
        let _ = parse_message(&s);
    }

    #[test]
    fn mangled_messages_never_panic(m in message(), cut in 0usize..400, junk in "[()\"\\\\#: a0-9]{0,4}") {
        let mut printed = print_message(&m);
        let cut = cut.min(printed.len());
        let cut = (0..=cut).rev().find(|i| printed.is_char_boundary(*i)).unwrap_or(0);
        printed.insert_str(cut, &junk);
        let _ = parse_message(&printed);
    }
}

#[test]
fn only_spec_words_numbers_and_dates_print_bare() {
    for bare in ["fipa-sl", "c_42", "20261123T041200000Z", "3", "1.5e3", "x@p"] {
        assert!(prints_bare(bare), "{bare}");
    }
    for quoted in ["", "1abc", "-x", "@p", "#3", ":k", "a b", "a\"b", "a\\b", "é", "(x)"] {
        assert!(!prints_bare(quoted), "{quoted}");
    }
}
