//! `itin node start --services FILE` and `itin endpoints` against a real
//! node process (mutual TLS).

use std::time::Duration;

use crate::common;

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn endpoints_lists_the_services_and_finds_one() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("itin-svc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("services.toml");
    std::fs::write(
        &file,
        "[[service]]\nname = \"upper\"\nprogram = [\"/usr/bin/tr\", \"a-z\", \"A-Z\"]\n\
         [[service]]\nname = \"bank\"\nadapter = \"bank\"\nport = 0\n",
    )
    .unwrap();
    let args = ["--name", "e", "--listen", "127.0.0.1:0", "--services", file.to_str().unwrap()];
    let (child, lines) = common::start_node(&args);
    let _node = common::Killed(child);
    let addr = common::listening("e", lines);

    let (code, out, err) = common::run_itin(&["endpoints", &addr], None, WAIT);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows[0], ["NAME", "KIND", "ADDRESS", "PORT", "TARGET"]);
    assert_eq!(rows[2], ["upper", "program", addr.as_str(), "node", "/usr/bin/tr", "a-z", "A-Z"]);
    assert_eq!(rows[1][..2], ["bank", "adapter"]);
    assert_ne!(rows[1][2], addr, "bank has a port of its own");

    let (code, out, _) = common::run_itin(&["endpoints", "--name", "bank", "--json"], Some(&addr), WAIT);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 0);
    assert_eq!((json[0]["name"].as_str(), json[0]["port"].as_str()), (Some("bank"), Some("own")));
    assert_eq!(json[0]["address"].as_str(), Some(rows[1][2]));

    let (code, _, err) = common::run_itin(&["endpoints", &addr, "--name", "nope"], None, WAIT);
    assert_eq!((code, err.trim()), (1, "itin: node e has no service \"nope\""));
}

#[test]
fn a_bad_services_file_stops_the_node_with_the_reason() {
    let dir =
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("itin-svc-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("services.toml");
    std::fs::write(&file, "[[service]]\nname = \"gone\"\nprogram = [\"/no/such/program\"]\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_itin"))
        .args(["node", "start", "--name", "b", "--listen", "127.0.0.1:0", "--insecure-loopback", "--services"])
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("service gone: program /no/such/program: No such file or directory"), "{err}");
}
