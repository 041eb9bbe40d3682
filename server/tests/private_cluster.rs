//! With no `DATABASE_URL`, `oversight` creates, starts, migrates and stops its own PostgreSQL
//! cluster under `./data` (relative to where it runs), as the README's first command relies on.

use std::process::Command;

#[test]
fn a_subcommand_creates_its_private_cluster_under_the_relative_data_dir_and_stops_it() {
    let dir = std::env::temp_dir().join(format!("oversight-private-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_oversight"))
            .args(args)
            .current_dir(&dir)
            .env_remove("DATABASE_URL")
            .env_remove("OVERSIGHT_DATA_DIR")
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, err) = run(&["seed", "--size", "tiny", "--seed", "3"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("seeded 'tiny' (seed 3"), "{err}");
    let pg = dir.join("data/pg");
    assert!(pg.join("cluster/PG_VERSION").exists());
    // The password is generated and readable by its owner only; nothing trusts local connections.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(pg.join("password"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0);
    let hba = std::fs::read_to_string(pg.join("cluster/pg_hba.conf")).unwrap();
    assert!(
        !hba.lines()
            .any(|l| !l.trim_start().starts_with('#') && l.contains("trust")),
        "{hba}"
    );
    // The process that started the cluster stopped it; the next one starts it again.
    assert!(!pg.join("cluster/postmaster.pid").exists());
    let (code, out, err) = run(&["audit", "verify"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("audit trail intact: 1 entries"), "{out}");
    assert!(!pg.join("cluster/postmaster.pid").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
