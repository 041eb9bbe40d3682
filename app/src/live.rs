//! The live picture: the shell keeps one event stream open (`GET /api/v1/events`) and turns
//! what it hears into counters that screens track, so that they fetch their figures again
//! without a reload: alerts raised or worked on, data arrived, procedures edited. After a drop
//! the stream reconnects by itself and every counter moves (what was missed is fetched).

use crate::browser::{self, LiveSignal};
use leptos::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// How long data events are gathered before screens fetch again.
const DATA_SETTLE_MS: i32 = 5000;
/// How long the app waits after its stream's session ended before it asks whether it still has one.
const REVOKED_SETTLE_MS: i32 = 2500;
/// How long notice events are gathered (a notice's sites answer together).
const NOTICE_SETTLE_MS: i32 = 400;

/// Counters that move when something changed on the server, and whether the stream is up.
#[derive(Clone, Copy)]
pub struct Live {
    pub alerts: RwSignal<u32>,
    pub data: RwSignal<u32>,
    pub procedures: RwSignal<u32>,
    /// Urgent notices sent, seen, acknowledged, reminded or closed.
    pub notices: RwSignal<u32>,
    pub connected: RwSignal<bool>,
}

impl Live {
    fn new() -> Live {
        Live {
            alerts: RwSignal::new(0),
            data: RwSignal::new(0),
            procedures: RwSignal::new(0),
            notices: RwSignal::new(0),
            connected: RwSignal::new(false),
        }
    }

    fn bump_all(&self) {
        self.alerts.update(|v| *v += 1);
        self.data.update(|v| *v += 1);
        self.procedures.update(|v| *v += 1);
        self.notices.update(|v| *v += 1);
    }
}

/// The shell's live counters (fresh ones, never moving, outside a shell).
pub fn use_live() -> Live {
    use_context::<Live>().unwrap_or_else(Live::new)
}

/// Opens the stream for the page and provides the counters to it.
pub fn provide_live() -> Live {
    let live = Live::new();
    provide_context(live);
    let hellos = StoredValue::new(0u32);
    // Data arrives in bursts (a batch is one event per province it touched): screens fetch
    // their figures at most once every 5 seconds (a page re-renders on a fetch).
    let pending = StoredValue::new(false);
    let notice_pending = StoredValue::new(false);
    // The stream this shell opened: its cleanup closes that one, never the next page's.
    let stream_owner = Arc::new(AtomicU32::new(0));
    let opened = stream_owner.clone();
    Effect::new(move |_| {
        let owner = browser::open_events(move |signal| match signal {
            LiveSignal::Open => live.connected.set(true),
            LiveSignal::Lost | LiveSignal::Refused => live.connected.set(false),
            LiveSignal::Event(name) => match name.as_str() {
                // The first hello is the page's own start; later ones follow a reconnection.
                "hello" => {
                    live.connected.set(true);
                    let n = hellos.get_value();
                    hellos.set_value(n + 1);
                    if n > 0 {
                        live.bump_all();
                    }
                }
                "alert" => live.alerts.update(|v| *v += 1),
                "data" => {
                    if !pending.get_value() {
                        pending.set_value(true);
                        // The page may have gone meanwhile: nothing then.
                        browser::after(DATA_SETTLE_MS, move || {
                            pending.try_set_value(false);
                            live.data.try_update(|v| *v += 1);
                        });
                    }
                }
                "procedure" => live.procedures.update(|v| *v += 1),
                // The session the stream was opened with ended (logged out elsewhere, expired, or
                // replaced: a new password or authenticator app gives this browser a new session,
                // whose cookie comes with the answer that ended the old one, maybe a moment after
                // this event). Then ask who we are: a refusal leads to the login page (and back
                // here afterwards); with a new session the stream reconnects by itself with it.
                "revoked" => browser::after(REVOKED_SETTLE_MS, || {
                    leptos::task::spawn_local(async {
                        let _ = crate::api::get::<domain::api::Me>("/api/v1/me").await;
                    })
                }),
                // A notice's sites answer within milliseconds of each other (every wall of the
                // site reads it at once): one fetch after the burst, never two overlapping.
                "notice" | "notice_seen" => {
                    if !notice_pending.get_value() {
                        notice_pending.set_value(true);
                        browser::after(NOTICE_SETTLE_MS, move || {
                            notice_pending.try_set_value(false);
                            live.notices.try_update(|v| *v += 1);
                        });
                    }
                }
                _ => live.bump_all(),
            },
        });
        opened.store(owner, Ordering::Relaxed);
    });
    on_cleanup(move || browser::close_events(stream_owner.load(Ordering::Relaxed)));
    live
}

/// Reads Server-Sent Events from a byte stream as it arrives (chunks may cut lines, even
/// characters): the names of the events completed so far, in order. Comments (keep-alives) and
/// fields other than `event` are passed over; an event without a name is `message`.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    name: Option<String>,
    has_data: bool,
}

impl SseParser {
    /// Takes the next chunk; answers the events it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for &b in chunk {
            if b != b'\n' {
                self.line.push(b);
                continue;
            }
            let mut line = std::mem::take(&mut self.line);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.is_empty() {
                if self.has_data || self.name.is_some() {
                    out.push(self.name.take().unwrap_or_else(|| "message".into()));
                }
                self.has_data = false;
                continue;
            }
            let text = String::from_utf8_lossy(&line);
            let (field, value) = text.split_once(':').unwrap_or((&text, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => self.name = Some(value.to_string()),
                "data" => self.has_data = true,
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::SseParser;

    #[test]
    fn events_are_read_across_chunks_and_comments_skipped() {
        let mut p = SseParser::default();
        assert!(p.feed(b"retry: 2000\nevent: hel").is_empty());
        assert_eq!(
            p.feed(b"lo\ndata: {\"scope\":\"VN\"}\n\n:\n\n"),
            vec!["hello"]
        );
        assert_eq!(
            p.feed(b"event: data\r\ndata: {}\r\n\r\nevent: revoked\ndata: {}\n\ndata: x\n\n"),
            vec!["data", "revoked", "message"]
        );
        // A character cut between chunks does not matter: names are whole lines.
        let mut p = SseParser::default();
        let bytes = "event: alert\ndata: {\"unit\":\"Hà Nội\"}\n\n".as_bytes();
        let (a, b) = bytes.split_at(28);
        let mut got = p.feed(a);
        got.extend(p.feed(b));
        assert_eq!(got, vec!["alert"]);
    }

    mod properties {
        use super::SseParser;
        use proptest::prelude::*;
        use proptest::test_runner::{Config, contextualize_config};

        /// The events of a whole stream, read at once: the reference the chunked reading must
        /// agree with.
        fn events_of(bytes: &[u8]) -> Vec<String> {
            SseParser::default().feed(bytes)
        }

        /// A stream of lines the server writes, and some it does not.
        fn stream() -> impl Strategy<Value = Vec<u8>> {
            let line = prop_oneof![
                "event: [a-z]{0,8}",
                "data: \\{[^\\n\\r]{0,20}\\}",
                ":( keep-alive)?",
                "retry: [0-9]{1,5}",
                "(id|ev|event|data)(:[^\\n]{0,6})?",
                "\\PC{0,12}",
                Just(String::new()),
            ];
            (
                proptest::collection::vec((line, any::<bool>()), 0..16),
                proptest::collection::vec(any::<u8>(), 0..8),
            )
                .prop_map(|(lines, noise)| {
                    let mut out = Vec::new();
                    for (l, crlf) in lines {
                        out.extend(l.into_bytes());
                        out.extend(if crlf { &b"\r\n"[..] } else { &b"\n"[..] });
                    }
                    out.extend(noise);
                    out
                })
        }

        proptest! {
            #![proptest_config(contextualize_config(Config {
                cases: 512,
                failure_persistence: None,
                ..Config::default()
            }))]

            /// However the stream is cut into chunks (even inside a character), the same events
            /// come out, in order.
            #[test]
            fn events_do_not_depend_on_how_the_stream_is_cut(
                bytes in stream(),
                cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
            ) {
                let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
                at.sort_unstable();
                let mut p = SseParser::default();
                let mut got = Vec::new();
                let mut from = 0;
                for to in at.into_iter().chain([bytes.len()]) {
                    got.extend(p.feed(&bytes[from..to]));
                    from = to;
                }
                prop_assert_eq!(got, events_of(&bytes));
            }

        }
    }
}
