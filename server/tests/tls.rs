//! HTTPS by rustls: with a certificate configured the server answers over TLS (HTTP/1.1 and
//! HTTP/2), sends HSTS and `Secure` cookies; a wrong file stops it naming the variable. The client
//! is curl, as an operator would check it.

use server::config::{Config, TlsFiles};
use std::process::Command;
use std::sync::Arc;

/// A self-signed certificate for `localhost`, made by openssl.
fn certificate(dir: &std::path::Path) -> TlsFiles {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    TlsFiles { cert, key }
}

fn curl(args: &[&str]) -> (String, String) {
    let out = Command::new("curl")
        .args(["-sS", "-D", "-", "-o", "/dev/null"])
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[tokio::test]
async fn the_server_speaks_tls_with_hsts_and_secure_cookies() {
    let db = server::testing::seeded_database().await;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = certificate(&dir);
    let config = Arc::new(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: Some(db.url.clone()),
        data_dir: "target/unused".into(),
        site_dir: "target/site".into(),
        secure_cookies: true,
        ingest_max_bytes: server::ingest::DEFAULT_MAX_BYTES,
        frame_ancestors: Vec::new(),
        tls: Some(files.clone()),
        rate_limits: server::config::RateLimits::off(),
        session_recheck: std::time::Duration::ZERO,
        answer_cache: std::time::Duration::ZERO,
    });
    let app = server::http::app(config, db.pool.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = server::tls::acceptor(&files).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::tls::serve(listener, app, acceptor, async {
        let _ = stopped.await;
    }));
    let url = format!("https://localhost:{port}");
    let cacert = files.cert.to_string_lossy().to_string();
    let (headers, err) = tokio::task::spawn_blocking({
        let (url, cacert) = (url.clone(), cacert.clone());
        move || {
            curl(&[
                "--cacert",
                &cacert,
                "--http2",
                &format!("{url}/api/v1/health"),
            ])
        }
    })
    .await
    .unwrap();
    assert!(headers.starts_with("HTTP/2 200"), "{headers}{err}");
    let lower = headers.to_lowercase();
    assert!(
        lower.contains("strict-transport-security: max-age=31536000; includesubdomains"),
        "{headers}"
    );
    // A login over TLS: the cookies are Secure.
    let body = r#"{"username":"phantich","password":"phantich-demo"}"#;
    let (headers, err) = tokio::task::spawn_blocking({
        let (url, cacert) = (url.clone(), cacert.clone());
        move || {
            curl(&[
                "--cacert",
                &cacert,
                "--http1.1",
                "-H",
                "content-type: application/json",
                "--data",
                body,
                &format!("{url}/api/v1/auth/login"),
            ])
        }
    })
    .await
    .unwrap();
    assert!(headers.starts_with("HTTP/1.1 200"), "{headers}{err}");
    let cookies: Vec<&str> = headers
        .lines()
        .filter(|l| l.to_lowercase().starts_with("set-cookie:"))
        .collect();
    assert_eq!(cookies.len(), 2, "{headers}");
    assert!(
        cookies.iter().all(|c| c.contains("; Secure")),
        "{cookies:?}"
    );
    // A client that does not trust the certificate is refused by curl, and plain HTTP is not served.
    let (_, err) = tokio::task::spawn_blocking({
        let url = url.clone();
        move || curl(&[&format!("{url}/api/v1/health")])
    })
    .await
    .unwrap();
    assert!(err.contains("certificate"), "{err}");
    let (headers, _) = tokio::task::spawn_blocking(move || {
        curl(&[
            "--max-time",
            "5",
            &format!("http://localhost:{port}/api/v1/health"),
        ])
    })
    .await
    .unwrap();
    assert!(!headers.contains("200"), "{headers}");
    let _ = stop.send(());
    serving.await.unwrap().unwrap();
    // A key that is not PEM stops the server naming the variable.
    std::fs::write(dir.join("bad.pem"), "not a key").unwrap();
    let bad = TlsFiles {
        cert: files.cert.clone(),
        key: dir.join("bad.pem"),
    };
    let e = server::tls::acceptor(&bad).err().unwrap();
    assert!(format!("{e:#}").starts_with("OVERSIGHT_TLS_KEY"), "{e:#}");
    let _ = std::fs::remove_dir_all(&dir);
}
