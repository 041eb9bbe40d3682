//! Helpers shared by the integration tests: the app on a throwaway database, requests, logins.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use server::config::Config;
use server::testing::TestDb;
use std::sync::Arc;
use tower::ServiceExt;

/// The whole app on a seeded throwaway database.
pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
}

impl TestApp {
    pub async fn seeded() -> TestApp {
        let db = server::testing::seeded_database().await;
        let config = Arc::new(Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            database_url: Some(db.url.clone()),
            data_dir: "target/unused".into(),
            site_dir: "target/site".into(),
            secure_cookies: false,
            ingest_max_bytes: server::ingest::DEFAULT_MAX_BYTES,
        });
        let router = server::http::app(config, db.pool.clone());
        TestApp { db, router }
    }

    /// Sends a request; returns the status, the headers and the body as JSON (or a string).
    pub async fn send(
        &self,
        req: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, headers, json)
    }

    /// `GET path` with a session cookie (or none).
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> (StatusCode, serde_json::Value) {
        let mut req = Request::get(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let (s, _, j) = self.send(req.body(Body::empty()).unwrap()).await;
        (s, j)
    }

    /// `POST path` with a JSON body.
    pub async fn post(
        &self,
        path: &str,
        body: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// Logs in and returns the `Cookie` header value of the session.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let body = serde_json::json!({"username": username, "password": password}).to_string();
        let (status, headers, json) = self.post("/api/v1/auth/login", &body, None).await;
        assert_eq!(status, StatusCode::OK, "login of {username}: {json}");
        let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        set.split(';').next().unwrap().to_string()
    }
}
