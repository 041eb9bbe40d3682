//! The load test's ceiling (`cargo xtask loadtest`, docs/LOAD.md): a bare axum server whose one
//! handler answers every GET with the same small JSON document, on the same runtime as
//! `oversight serve` (tokio's multi-threaded default). What the machine, the load generator and
//! HTTP cost, with no work behind them.
//!
//! `cargo run --release -p server --example ceiling -- 127.0.0.1:3999`

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;

const ANSWER: &str = r#"{"ok":true}"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3999".into());
    let app = Router::new().fallback(get(|| async {
        ([(CONTENT_TYPE, "application/json")], ANSWER)
    }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("ceiling: serving on http://{addr}");
    axum::serve(listener, app).await?;
    Ok(())
}
