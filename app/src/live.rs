//! The live picture: the shell keeps one event stream open (`GET /api/v1/events`) and turns
//! what it hears into counters that screens track, so that they fetch their figures again
//! without a reload: alerts raised or worked on, data arrived, procedures edited. After a drop
//! the stream reconnects by itself and every counter moves (what was missed is fetched).

use crate::browser::{self, LiveSignal};
use leptos::prelude::*;

/// How long data events are gathered before screens fetch again.
const DATA_SETTLE_MS: i32 = 5000;

/// Counters that move when something changed on the server, and whether the stream is up.
#[derive(Clone, Copy)]
pub struct Live {
    pub alerts: RwSignal<u32>,
    pub data: RwSignal<u32>,
    pub procedures: RwSignal<u32>,
    pub connected: RwSignal<bool>,
}

impl Live {
    fn new() -> Live {
        Live {
            alerts: RwSignal::new(0),
            data: RwSignal::new(0),
            procedures: RwSignal::new(0),
            connected: RwSignal::new(false),
        }
    }

    fn bump_all(&self) {
        self.alerts.update(|v| *v += 1);
        self.data.update(|v| *v += 1);
        self.procedures.update(|v| *v += 1);
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
    Effect::new(move |_| {
        browser::open_events(move |signal| match signal {
            LiveSignal::Open => live.connected.set(true),
            LiveSignal::Lost => live.connected.set(false),
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
                _ => live.bump_all(),
            },
        });
    });
    on_cleanup(browser::close_events);
    live
}
