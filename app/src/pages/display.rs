//! `/display#token=…`: the wall of the video-conference room. No mouse, no keyboard, no login:
//! the display's read-only token rides in the URL's fragment (never sent to a server, never in
//! a referrer); the wall reads its setup (`GET /api/v1/display`), rotates through its scenes,
//! and keeps its figures current through the event stream, updating them in place. A drop shows
//! a discreet mark and reconnects by itself; a refused token (revoked) turns the wall into a
//! neutral screen. Large type scaled to the screen's width (1920 to 3840 pixels), dark theme.

use crate::api::{self, ApiFailure};
use crate::browser::{self, LiveSignal};
use crate::i18n::{Key, Lang, t, use_lang};
use crate::labels;
use crate::map::{AreaMap, MapValue, PACE_STEPS, StepLegend};
use domain::alerts::{AlertPage, AlertRecord};
use domain::api::{DirectiveList, DirectiveSummary};
use domain::display::{DisplaySetup, Scene, scene_at, token_from_fragment};
use domain::format;
use domain::notices::{ActiveNotice, ActiveNotices, wall_key};
use domain::overview::{ChildAttainment, Overview, TargetLine};
use domain::targets::AttainmentState;
use leptos::prelude::*;

/// How long data events are gathered before the wall fetches again, in milliseconds.
const DATA_SETTLE_MS: i32 = 2500;
/// How long alert events are gathered.
const ALERT_SETTLE_MS: i32 = 800;
/// The wall fetches everything at least this often (seconds), whatever the stream says.
const REFRESH_EVERY_S: u32 = 60;
/// How many alerts and directives a scene lists.
const LISTED: usize = 8;

/// Where the wall is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Reading its setup.
    Starting,
    Running,
    /// No token, or the token was refused: nothing but a neutral screen.
    Neutral,
}

/// Everything the wall shows, each part its own signal so a new figure changes only its place.
#[derive(Clone, Copy)]
struct Wall {
    phase: RwSignal<Phase>,
    setup: RwSignal<Option<DisplaySetup>>,
    overview: RwSignal<Option<Overview>>,
    units: RwSignal<Vec<Overview>>,
    alerts: RwSignal<Option<AlertPage>>,
    directives: RwSignal<Option<DirectiveList>>,
    /// When the figures were last fetched (ms since the epoch, server's clock).
    fetched_at: RwSignal<Option<f64>>,
    /// The stream is up.
    connected: RwSignal<bool>,
    /// Now, on the server's clock (ms since the epoch), ticking every second.
    now: RwSignal<f64>,
    /// The server's clock minus the device's.
    offset: StoredValue<f64>,
    /// When the rotation started (server's clock).
    started: StoredValue<f64>,
    refresh_pending: StoredValue<bool>,
    /// Seconds since the last full fetch.
    since_refresh: StoredValue<u32>,
    /// The interface's language (the display's setting).
    lang: RwSignal<Lang>,
    /// The urgent notices sent to the display's unit that are still up.
    notices: RwSignal<Vec<ActiveNotice>>,
    /// The notices dismissed on this wall ([`wall_key`]: a reminder brings one back).
    dismissed: RwSignal<Vec<String>>,
}

impl Wall {
    fn new() -> Wall {
        Wall {
            phase: RwSignal::new(Phase::Starting),
            setup: RwSignal::new(None),
            overview: RwSignal::new(None),
            units: RwSignal::new(Vec::new()),
            alerts: RwSignal::new(None),
            directives: RwSignal::new(None),
            fetched_at: RwSignal::new(None),
            connected: RwSignal::new(false),
            now: RwSignal::new(0.0),
            offset: StoredValue::new(0.0),
            started: StoredValue::new(0.0),
            refresh_pending: StoredValue::new(false),
            since_refresh: StoredValue::new(0),
            lang: use_lang(),
            notices: RwSignal::new(Vec::new()),
            dismissed: RwSignal::new(Vec::new()),
        }
    }

    /// Fetches the notices at once (an urgent notice is on the wall within a second or two).
    async fn refresh_notices(self) {
        match api::get::<ActiveNotices>("/api/v1/notices/active").await {
            Ok(got) => set_if_changed(self.notices, got.notices),
            Err(ApiFailure::Status(401 | 403, _)) => self.neutral(),
            Err(_) => {}
        }
    }

    fn server_now(&self) -> f64 {
        browser::now_ms() + self.offset.get_value()
    }

    /// Nothing more is shown or fetched: the token is gone.
    fn neutral(&self) {
        browser::close_token_events();
        api::use_bearer(None);
        self.phase.set(Phase::Neutral);
        self.setup.set(None);
        self.overview.set(None);
        self.units.set(Vec::new());
        self.alerts.set(None);
        self.directives.set(None);
        self.fetched_at.set(None);
        self.connected.set(false);
        self.notices.set(Vec::new());
    }

    /// Fetches the figures again in `ms` (requests within that time are one fetch).
    fn refresh_in(self, ms: i32) {
        if self.refresh_pending.get_value() {
            return;
        }
        self.refresh_pending.set_value(true);
        browser::after(ms, move || {
            self.refresh_pending.try_set_value(false);
            leptos::task::spawn_local(async move { self.refresh().await });
        });
    }

    async fn refresh(self) {
        let Some(setup) = self.setup.get_untracked() else {
            return;
        };
        self.since_refresh.set_value(0);
        self.refresh_notices().await;
        match fetch_all(&setup).await {
            Ok(got) => {
                set_if_changed(self.overview, Some(got.overview));
                set_if_changed(self.units, got.units);
                set_if_changed(self.alerts, Some(got.alerts));
                set_if_changed(self.directives, Some(got.directives));
                self.fetched_at.set(Some(self.server_now()));
            }
            Err(ApiFailure::Status(401 | 403, _)) => self.neutral(),
            // The server is away: the last figures stay, marked by the stream's state.
            Err(_) => {}
        }
    }

    /// Reads the setup (again); starts the rotation over when it changed.
    async fn load_setup(self) -> Result<(), ApiFailure> {
        let setup = api::get::<DisplaySetup>("/api/v1/display").await?;
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&setup.server_time) {
            self.offset
                .set_value(t.timestamp_millis() as f64 - browser::now_ms());
        }
        let lang = Lang::from_tag(&setup.lang);
        if self.lang.get_untracked() != lang {
            self.lang.set(lang);
        }
        let changed = self.setup.with_untracked(|s| {
            s.as_ref().is_none_or(|s| {
                s.scenes != setup.scenes || s.interval_seconds != setup.interval_seconds
            })
        });
        if changed {
            self.started.set_value(self.server_now());
        }
        set_if_changed(self.setup, Some(setup));
        self.phase.set(Phase::Running);
        Ok(())
    }
}

fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

struct Fetched {
    overview: Overview,
    units: Vec<Overview>,
    alerts: AlertPage,
    directives: DirectiveList,
}

async fn fetch_all(setup: &DisplaySetup) -> Result<Fetched, ApiFailure> {
    let overview = api::get::<Overview>("/api/v1/overview").await?;
    let mut units = Vec::new();
    for scene in &setup.scenes {
        if let Scene::Unit { unit } = scene
            && !units.iter().any(|u: &Overview| u.unit == *unit)
        {
            units.push(api::get::<Overview>(&format!("/api/v1/overview?unit={unit}")).await?);
        }
    }
    let alerts = api::get::<AlertPage>("/api/v1/alerts?state=open&limit=200").await?;
    let directives = api::get::<DirectiveList>("/api/v1/directives").await?;
    Ok(Fetched {
        overview,
        units,
        alerts,
        directives,
    })
}

/// Starts the wall in the browser: token, setup, stream, clock.
fn start(wall: Wall) {
    api::never_to_login();
    let Some(token) = browser::fragment().and_then(|f| token_from_fragment(&f)) else {
        wall.neutral();
        return;
    };
    api::use_bearer(Some(token.clone()));
    leptos::task::spawn_local(async move {
        // Until the server answers: try again every 5 s; a refusal is final.
        loop {
            match wall.load_setup().await {
                Ok(()) => break,
                Err(ApiFailure::Status(401 | 403, _)) => {
                    wall.neutral();
                    return;
                }
                Err(_) => browser::sleep(5000).await,
            }
        }
        wall.refresh().await;
        browser::open_token_events(token, move |signal| match signal {
            LiveSignal::Open => wall.connected.set(true),
            LiveSignal::Lost => wall.connected.set(false),
            LiveSignal::Refused => wall.neutral(),
            LiveSignal::Event(name) => match name.as_str() {
                // Every (re)connection: fetch what may have been missed.
                "hello" => {
                    wall.connected.set(true);
                    wall.refresh_in(0);
                }
                "data" => wall.refresh_in(DATA_SETTLE_MS),
                "alert" | "procedure" => wall.refresh_in(ALERT_SETTLE_MS),
                "notice" => leptos::task::spawn_local(wall.refresh_notices()),
                // Another screen of the site showed a notice: nothing changes here.
                "notice_seen" => {}
                "display" => leptos::task::spawn_local(async move {
                    match wall.load_setup().await {
                        Err(ApiFailure::Status(401 | 403, _)) => wall.neutral(),
                        _ => wall.refresh().await,
                    }
                }),
                "revoked" => wall.neutral(),
                _ => wall.refresh_in(0),
            },
        });
    });
}

/// The wall.
#[component]
pub fn DisplayPage() -> impl IntoView {
    let wall = Wall::new();
    Effect::new(move |_| {
        start(wall);
        wall.now.set(wall.server_now());
        let tick = browser::every(1000, move || {
            wall.now.try_set(wall.server_now());
            let n = wall.since_refresh.try_get_value().unwrap_or(0) + 1;
            wall.since_refresh.try_set_value(n);
            if n >= REFRESH_EVERY_S && wall.phase.try_get_untracked() == Some(Phase::Running) {
                wall.refresh_in(0);
            }
        });
        on_cleanup(move || {
            if let Some(id) = tick {
                browser::cancel_every(id);
            }
            browser::close_token_events();
        });
    });

    // The scene on the wall now: moves only at a scene's end.
    let current = Memo::new(move |_| {
        let now = wall.now.get();
        wall.setup.with(|s| {
            s.as_ref().and_then(|s| {
                let elapsed = (now - wall.started.get_value()).max(0.0) as u64;
                s.scenes
                    .get(scene_at(s.scenes.len(), s.interval_seconds, elapsed))
                    .cloned()
                    .map(|scene| (scene_at(s.scenes.len(), s.interval_seconds, elapsed), scene))
            })
        })
    });

    view! {
        <div class="wall" data-testid="wall"
            data-phase=move || match wall.phase.get() {
                Phase::Starting => "starting",
                Phase::Running => "running",
                Phase::Neutral => "neutral",
            }
            data-scene=move || current.get().map(|(_, s)| s.kind()).unwrap_or("")>
            {move || match wall.phase.get() {
                Phase::Neutral => view! { <Neutral wall/> }.into_any(),
                Phase::Starting => view! { <Starting wall/> }.into_any(),
                Phase::Running => view! { <Running wall current/> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Clock(wall: Wall) -> impl IntoView {
    let clock = move || format::vn_clock(wall.now.get() as i64);
    view! {
        <div class="wall-clock" data-testid="wall-clock">
            <time class="wall-time">{move || clock().map(|c| c.0).unwrap_or_default()}</time>
            <span class="wall-date">{move || clock().map(|c| c.2).unwrap_or_default()}</span>
        </div>
    }
}

#[component]
fn Neutral(wall: Wall) -> impl IntoView {
    view! {
        <div class="wall-neutral" data-testid="wall-neutral">
            <Clock wall/>
            <p class="wall-neutral-title">{t(Key::WallNeutral)}</p>
            <p class="wall-neutral-hint">{t(Key::WallNeutralHint)}</p>
        </div>
    }
}

#[component]
fn Starting(wall: Wall) -> impl IntoView {
    view! {
        <div class="wall-neutral wall-starting">
            <Clock wall/>
            <p class="wall-neutral-hint">{t(Key::WallStarting)}</p>
        </div>
    }
}

#[component]
fn Running(wall: Wall, current: Memo<Option<(usize, Scene)>>) -> impl IntoView {
    let lang = use_lang();
    let unit_name = move || {
        wall.setup
            .with(|s| s.as_ref().map(|s| s.unit_name.clone()))
            .unwrap_or_default()
    };
    let title = move || match current.get().map(|(_, s)| s) {
        Some(Scene::Overview) => text(lang, Key::WallSceneOverview),
        Some(Scene::Map) => text(lang, Key::WallSceneMap),
        Some(Scene::Alerts) => text(lang, Key::WallSceneAlerts),
        Some(Scene::Directives) => text(lang, Key::WallSceneDirectives),
        Some(Scene::Unit { unit }) => wall
            .units
            .with(|us| {
                us.iter()
                    .find(|u| u.unit == unit)
                    .map(|u| u.unit_name.clone())
            })
            .unwrap_or(unit),
        None => String::new(),
    };
    let fresh = move || {
        wall.fetched_at
            .get()
            .and_then(|ms| format::vn_clock(ms as i64))
            .map(|c| c.1)
            .unwrap_or_else(|| "–".into())
    };
    let live = move || wall.connected.get();
    // When the newest data of the display's unit arrived (the overview's `data_as_of`).
    let latest = move || {
        wall.overview
            .with(|o| o.as_ref().and_then(|o| o.data_as_of.clone()))
            .and_then(|t| format::local_time(&t))
    };
    let scenes = move || {
        wall.setup
            .with(|s| s.as_ref().map_or(0, |s| s.scenes.len()))
    };
    let progress = move || {
        let Some(interval) = wall.setup.with(|s| s.as_ref().map(|s| s.interval_seconds)) else {
            return 0.0;
        };
        let elapsed = (wall.now.get() - wall.started.get_value()).max(0.0) / 1000.0;
        (elapsed % interval.max(1) as f64) / interval.max(1) as f64
    };
    view! {
        <header class="wall-head">
            <div class="wall-title">
                <p class="wall-unit" data-testid="wall-unit">{unit_name}</p>
                <h1 class="wall-scene-title" data-testid="wall-scene-title">{title}</h1>
            </div>
            <div class="wall-meta">
                <span class="wall-live" data-testid="wall-live"
                    data-state=move || if live() { "live" } else { "reconnecting" }>
                    <span class="wall-live-dot" aria-hidden="true"></span>
                    {move || if live() { text(lang, Key::WallLive) } else { text(lang, Key::WallReconnecting) }}
                </span>
                <span class="wall-fresh" data-testid="wall-fresh">
                    <span>{t(Key::WallDataAt)}" "{fresh}</span>
                    {move || latest().map(|at| view! {
                        <span class="wall-latest" data-testid="wall-latest">{t(Key::WallLatest)}" "{at}</span>
                    })}
                </span>
                <Clock wall/>
            </div>
        </header>
        <main class="wall-body">
            // Only a change of scene (a memo) makes the scene anew; its figures update in place.
            {move || current.get().map(|(_, s)| match s {
                Scene::Overview => view! {
                    <FiguresScene overview=Signal::derive(move || wall.overview.get())/>
                }.into_any(),
                Scene::Map => view! { <MapScene wall/> }.into_any(),
                Scene::Alerts => view! { <AlertsScene wall/> }.into_any(),
                Scene::Directives => view! { <DirectivesScene wall/> }.into_any(),
                Scene::Unit { unit } => view! {
                    <FiguresScene overview=Signal::derive(move || {
                        wall.units.with(|us| us.iter().find(|u| u.unit == unit).cloned())
                    })/>
                }.into_any(),
            })}
        </main>
        <footer class="wall-foot">
            <ol class="wall-dots" aria-hidden="true">
                {move || (0..scenes()).map(|i| view! {
                    <li class:on=move || current.get().is_some_and(|(c, _)| c == i)></li>
                }).collect_view()}
            </ol>
            <div class="wall-progress" aria-hidden="true">
                <div class="wall-progress-bar" style=move || format!("transform: scaleX({:.3})", progress())></div>
            </div>
        </footer>
        <WallNotice wall/>
    }
}

/// An urgent notice over the rotating scenes, until it is dismissed here, the sender closes it or
/// it expires; a reminder brings a dismissed one back. The most severe and newest first.
#[component]
fn WallNotice(wall: Wall) -> impl IntoView {
    let lang = use_lang();
    let shown = move || {
        let dismissed = wall.dismissed.get();
        wall.notices.with(|ns| {
            let open: Vec<&ActiveNotice> = ns
                .iter()
                .filter(|n| !dismissed.contains(&wall_key(n)))
                .collect();
            open.first().map(|n| ((*n).clone(), open.len() - 1))
        })
    };
    let dismiss = move |key: String| wall.dismissed.update(|d| d.push(key));
    // The room's remote or keyboard: Escape dismisses the notice on top.
    Effect::new(move |_| {
        browser::on_key("Escape", move || {
            if let Some((n, _)) = shown() {
                dismiss(wall_key(&n));
            }
        });
    });
    move || {
        shown().map(|(n, more)| {
            let key = wall_key(&n);
            let sent = format::local_time(&n.sent_at).unwrap_or_default();
            let until = format::local_time(&n.expires_at).unwrap_or_default();
            let acked = n.acknowledged_at.as_deref().and_then(format::local_time);
            view! {
                <div class="wall-notice" role="alert" data-testid="wall-notice" data-id=n.id.to_string()
                    data-severity=n.severity.clone()>
                    <div class="wall-notice-card">
                        <p class="wall-notice-mark">
                            <span class="wall-notice-label">{t(Key::NtBanner)}</span>
                            <span class="wall-notice-sev">{t(crate::components::notices::severity_key(&n.severity))}</span>
                            {n.reminded_at.is_some().then(|| view! { <span class="wall-notice-reminder">{t(Key::NtReminder)}</span> })}
                        </p>
                        <p class="wall-notice-text" data-testid="wall-notice-text">{n.text.clone()}</p>
                        <p class="wall-notice-meta">
                            {t(Key::NtFrom)}" "{n.sender_unit_name.clone()}" · "{t(Key::NtSentAt)}" "{sent}
                            " · "{t(Key::NtExpiresAt)}" "{until}
                            {n.unit_name.clone().map(|u| view! { " · "{t(Key::NtConcerns)}": "{u} })}
                        </p>
                        <div class="wall-notice-foot">
                            {match acked {
                                Some(at) => view! {
                                    <span class="wall-notice-state acked" data-testid="wall-notice-state" data-state="acknowledged">
                                        {t(Key::NtAckDone)}" · "{at}" · "{n.acknowledged_by.clone().unwrap_or_default()}
                                    </span>
                                }.into_any(),
                                None => view! {
                                    <span class="wall-notice-state" data-testid="wall-notice-state" data-state="waiting">{t(Key::NtAwaiting)}</span>
                                }.into_any(),
                            }}
                            {(more > 0).then(|| view! { <span class="wall-notice-more">"+"{more}</span> })}
                            <button type="button" class="wall-notice-dismiss" data-testid="wall-notice-dismiss"
                                on:click=move |_| dismiss(key.clone())>{move || text(lang, Key::NtDismiss)}</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

fn text(lang: RwSignal<Lang>, key: Key) -> String {
    crate::i18n::text(lang.get(), key).to_string()
}

/// The year so far of one unit: four figures against last year, the plan, the open alerts.
#[component]
fn FiguresScene(overview: Signal<Option<Overview>>) -> impl IntoView {
    let lang = use_lang();
    let figure = move |f: fn(&Overview) -> (i64, i64)| {
        Signal::derive(move || overview.with(|o| o.as_ref().map(f)))
    };
    let lines = move || {
        overview.with(|o| {
            o.as_ref()
                .map(|o| {
                    o.targets
                        .iter()
                        .filter(|l| l.sector.is_none())
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let counts = move |f: fn(&Overview) -> i64| {
        move || {
            overview
                .with(|o| o.as_ref().map(f))
                .map(|n| format::integer(n, lang.get()))
                .unwrap_or_default()
        }
    };
    view! {
        <div class="wall-figures">
            <section class="wall-kpis">
                <WallKpi label=Key::Inspections testid="inspections"
                    value=figure(|o| (o.figures.inspections, o.last_year.inspections))/>
                <WallKpi label=Key::Supervisions testid="supervisions"
                    value=figure(|o| (o.figures.supervisions, o.last_year.supervisions))/>
                <WallKpi label=Key::Violations testid="violations"
                    value=figure(|o| (o.figures.violations, o.last_year.violations))/>
                <WallKpi label=Key::Disciplines testid="disciplines"
                    value=figure(|o| (o.figures.disciplines, o.last_year.disciplines))/>
            </section>
            <section class="wall-targets">
                <h2>{t(Key::WallTargets)}</h2>
                <For each=lines key=|l: &TargetLine| format!("{}{}{}{:?}", l.measure, l.attainment.achieved, l.attainment.planned, l.forecast.as_ref().map(|f| f.point.round() as i64))
                    children=move |l| view! { <WallTarget line=l/> }/>
                <WallTrend overview/>
            </section>
            <section class="wall-alert-strip" data-testid="wall-alert-counts">
                <h2>{t(Key::WallSceneAlerts)}</h2>
                <p class="sev critical"><b>{counts(|o| o.alerts.critical)}</b>" "{t(Key::SevCritical)}</p>
                <p class="sev warning"><b>{counts(|o| o.alerts.warning)}</b>" "{t(Key::SevWarning)}</p>
                <p class="sev info"><b>{counts(|o| o.alerts.info)}</b>" "{t(Key::SevInfo)}</p>
            </section>
        </div>
    }
}

/// The last twelve months: inspections and supervisions opened, side by side.
#[component]
fn WallTrend(overview: Signal<Option<Overview>>) -> impl IntoView {
    let lang = use_lang();
    let months = move || {
        overview.with(|o| {
            o.as_ref()
                .map(|o| {
                    let n = o.trend.len();
                    o.trend[n.saturating_sub(12)..].to_vec()
                })
                .unwrap_or_default()
        })
    };
    let top = move || {
        months()
            .iter()
            .map(|m| m.figures.inspections.max(m.figures.supervisions))
            .max()
            .unwrap_or(0)
            .max(1) as f64
    };
    view! {
        <div class="wall-trend">
            <h2>{t(Key::WallTrend)}</h2>
            <div class="wall-trend-bars">
                <For each=months key=|m| format!("{}{}{}", m.month, m.figures.inspections, m.figures.supervisions)
                    children=move |m| {
                        let h = move |n: i64| format!("height:{:.1}%", n as f64 / top() * 100.0);
                        let label = format!("{}/{}", m.month.format("%m"), m.month.format("%y"));
                        let tip = move || format!(
                            "{}: {} / {}",
                            label,
                            format::integer(m.figures.inspections, lang.get()),
                            format::integer(m.figures.supervisions, lang.get())
                        );
                        view! {
                            <div class="wall-trend-month" title=tip>
                                <div class="wall-trend-pair">
                                    <span class="insp" style=move || h(m.figures.inspections)></span>
                                    <span class="sup" style=move || h(m.figures.supervisions)></span>
                                </div>
                                <span class="wall-trend-label">{m.month.format("%m").to_string()}</span>
                            </div>
                        }
                    }/>
            </div>
            <p class="wall-trend-key">
                <span class="insp"></span>{t(Key::Inspections)}
                <span class="sup"></span>{t(Key::Supervisions)}
            </p>
        </div>
    }
}

/// One large figure and its change against the same period last year.
#[component]
fn WallKpi(label: Key, testid: &'static str, value: Signal<Option<(i64, i64)>>) -> impl IntoView {
    let lang = use_lang();
    let now = move || value.get().map(|v| v.0);
    let change = move || {
        value
            .get()
            .and_then(|(a, b)| domain::summary::change_pct(a, b))
    };
    view! {
        <article class="wall-kpi" data-testid=format!("wall-kpi-{testid}")
            data-value=move || now().map(|n| n.to_string()).unwrap_or_default()>
            <h3>{t(label)}</h3>
            <p class="wall-kpi-value">{move || now().map(|n| format::integer(n, lang.get())).unwrap_or_else(|| "–".into())}</p>
            <p class="wall-kpi-change" class:up=move || change().is_some_and(|c| c > 0.005)
                class:down=move || change().is_some_and(|c| c < -0.005)>
                <span aria-hidden="true">{move || match change() {
                    Some(c) if c > 0.005 => "▲ ",
                    Some(c) if c < -0.005 => "▼ ",
                    _ => "",
                }}</span>
                {move || change().map(|c| format::change_pct(c, lang.get())).unwrap_or_else(|| "–".into())}
                " "{t(Key::WallVsLastYear)}
                " ("{move || value.get().map(|v| format::integer(v.1, lang.get())).unwrap_or_default()}")"
            </p>
        </article>
    }
}

/// One target of the year: achieved of planned, where it should be by today, the forecast.
#[component]
fn WallTarget(line: TargetLine) -> impl IntoView {
    let lang = use_lang();
    let a = line.attainment;
    let planned = a.planned.max(1) as f64;
    let pct = |x: f64| format!("{:.1}%", (x / planned * 100.0).clamp(0.0, 100.0));
    let label = match line.measure.as_str() {
        "inspections" => Key::Inspections,
        "supervisions" => Key::Supervisions,
        _ => Key::SettledOnTime,
    };
    let state = match a.state {
        AttainmentState::Behind => "behind",
        AttainmentState::OnTrack => "on-track",
        AttainmentState::Met => "met",
    };
    let forecast = line.forecast.clone();
    let forecast_at = forecast.as_ref().map(|f| pct(f.point));
    view! {
        <div class=format!("wall-target {state}") data-measure=line.measure.clone()
            data-achieved=a.achieved.to_string()>
            <p class="wall-target-label">
                <span>{t(label)}</span>
                <b>{move || format::integer(a.achieved, lang.get())}</b>
                <span class="of">" / "{move || format::integer(a.planned, lang.get())}" "{t(Key::WallPlan)}</span>
            </p>
            <div class="wall-bar">
                <div class="wall-bar-fill" style=format!("width:{}", pct(a.achieved as f64))></div>
                <div class="wall-bar-expected" style=format!("left:{}", pct(a.expected))
                    title=t(Key::WallExpected)></div>
                {forecast_at.map(|at| view! { <div class="wall-bar-forecast" style=format!("left:{at}")></div> })}
            </div>
            <p class="wall-target-note">
                {t(Key::WallExpected)}" "{move || format::integer(a.expected.round() as i64, lang.get())}
                {forecast.map(|f| view! {
                    " · "{t(Key::WallForecast)}" "{move || format::integer(f.point.round() as i64, lang.get())}
                    {f.chance_of_meeting.map(|c| view! { " · "{t(Key::WallChance)}" "{move || format::percent(Some(c), lang.get())} })}
                })}
            </p>
        </div>
    }
}

/// The provinces (or a province's communes) by how far they are on the inspection plan.
#[component]
fn MapScene(wall: Wall) -> impl IntoView {
    let lang = use_lang();
    // The map is made once per showing: only the unit and its level decide it.
    let place = Memo::new(move |_| {
        wall.overview
            .with(|o| o.as_ref().map(|o| (o.unit.clone(), o.level.clone())))
    });
    let children = move || {
        wall.overview
            .with(|o| o.as_ref().map(|o| o.children.clone()))
            .unwrap_or_default()
    };
    let values = Signal::derive(move || {
        paced(children())
            .into_iter()
            .map(|(c, pace)| MapValue {
                code: c.code,
                value: pace,
            })
            .collect::<Vec<_>>()
    });
    // The furthest behind and ahead: the ends of the children ranked by pace.
    let ranked = move |ahead: bool| {
        let mut cs = paced(children());
        cs.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.code.cmp(&b.0.code)));
        if ahead {
            cs.reverse();
        }
        cs.truncate(5);
        cs
    };
    let behind = move || ranked(false);
    let ahead = move || ranked(true);
    let selected = RwSignal::new(None::<String>);
    view! {
        <div class="wall-map">
            {move || place.get().map(|(unit, level)| {
                let central = unit == "VN";
                let (map_level, within) = if central || level == "committee" {
                    ("province", None)
                } else {
                    ("commune", Some(unit))
                };
                view! { <AreaMap level=map_level within=within values=values selected=selected steps=PACE_STEPS dark=true/> }
            })}
            <aside class="wall-map-side">
                <p class="wall-map-measure">{t(Key::WallMapMeasure)}</p>
                <StepLegend title=Key::AttLegend steps=PACE_STEPS none=Key::AttNoData
                    labels=&["< 80%", "80–95%", "95–100%", "100–110%", "≥ 110%"]/>
                <h2>{t(Key::WallBehind)}</h2>
                <ol class="wall-behind" data-testid="wall-behind">
                    <For each=behind key=|(c, p)| format!("{}{:.4}", c.code, p)
                        children=move |(c, pace)| view! {
                            <li><span>{c.name.clone()}</span><b>{move || format::percent(Some(pace), lang.get())}</b></li>
                        }/>
                </ol>
                <h2>{t(Key::WallAhead)}</h2>
                <ol class="wall-behind wall-ahead" data-testid="wall-ahead">
                    <For each=ahead key=|(c, p)| format!("{}{:.4}", c.code, p)
                        children=move |(c, pace)| view! {
                            <li><span>{c.name.clone()}</span><b>{move || format::percent(Some(pace), lang.get())}</b></li>
                        }/>
                </ol>
            </aside>
        </div>
    }
}

/// The children with a pace on the inspection plan (achieved over expected by today).
fn paced(children: Vec<ChildAttainment>) -> Vec<(ChildAttainment, f64)> {
    children
        .into_iter()
        .filter_map(|c| {
            let pace = c.measure("inspections").and_then(|a| a.pace())?;
            Some((c, pace))
        })
        .collect()
}

/// The open alerts: how many of each severity, and the most severe.
#[component]
fn AlertsScene(wall: Wall) -> impl IntoView {
    let lang = use_lang();
    let counts = move |f: fn(&Overview) -> i64| {
        move || {
            wall.overview
                .with(|o| o.as_ref().map(f))
                .map(|n| format::integer(n, lang.get()))
                .unwrap_or_else(|| "–".into())
        }
    };
    let list = move || {
        wall.alerts
            .with(|a| a.as_ref().map(|a| varied(&a.alerts, LISTED)))
            .unwrap_or_default()
    };
    let more = move || {
        wall.alerts
            .with(|a| {
                a.as_ref()
                    .map(|a| a.open - a.alerts.len().min(LISTED) as i64)
            })
            .filter(|n| *n > 0)
    };
    let today = move || {
        chrono::DateTime::from_timestamp_millis(wall.now.get() as i64).map(|t| t.date_naive())
    };
    view! {
        <div class="wall-alerts">
            <section class="wall-sev-counts" data-testid="wall-sev-counts">
                <p class="sev critical"><b>{counts(|o| o.alerts.critical)}</b><span>{t(Key::SevCritical)}</span></p>
                <p class="sev warning"><b>{counts(|o| o.alerts.warning)}</b><span>{t(Key::SevWarning)}</span></p>
                <p class="sev info"><b>{counts(|o| o.alerts.info)}</b><span>{t(Key::SevInfo)}</span></p>
            </section>
            <section class="wall-alert-list">
                <Show when=move || !list().is_empty()
                    fallback=|| view! { <p class="wall-empty">{t(Key::WallAlertsNone)}</p> }>
                    <ul data-testid="wall-alert-list">
                        <For each=list key=|a: &AlertRecord| format!("{}{}{}", a.id, a.updated_at, a.state)
                            children=move |a| {
                                let sentence = labels::alert_sentence(&a, lang.get_untracked());
                                let created = a.created_at.get(..10).and_then(|d| d.parse::<chrono::NaiveDate>().ok());
                                let age = move || match (created, today()) {
                                    (Some(c), Some(t)) if (t - c).num_days() >= 1 => format!("{} {}", format::integer((t - c).num_days(), lang.get()), text(lang, Key::WallDaysAgo)),
                                    _ => text(lang, Key::WallToday),
                                };
                                view! {
                                    <li class=format!("wall-alert {}", a.severity)>
                                        <span class="wall-alert-kind">{labels::alert_kind(&a.kind, lang.get_untracked())}</span>
                                        <p class="wall-alert-text">{sentence}</p>
                                        <span class="wall-alert-unit">{a.unit_name.clone()}</span>
                                        <span class="wall-alert-age">{age}</span>
                                    </li>
                                }
                            }/>
                    </ul>
                    {move || more().map(|n| view! {
                        <p class="wall-more">"+ "{format::integer(n, lang.get())}" "{t(Key::WallMoreAlerts)}</p>
                    })}
                </Show>
            </section>
        </div>
    }
}

/// At most `n` alerts for a room to read, the most severe first but each kind in turn, and a
/// unit once per kind: a hundred late steps must not hide the one target at risk.
fn varied(alerts: &[AlertRecord], n: usize) -> Vec<AlertRecord> {
    let n = n.min(alerts.len());
    let subject = |a: &AlertRecord| (a.kind.clone(), a.about.clone().unwrap_or(a.unit.clone()));
    let mut picked: Vec<&AlertRecord> = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    // Round after round, the first of each kind about a unit not yet shown for that kind (the
    // list comes most severe first); when none is left, the rest in order.
    let mut strict = true;
    while picked.len() < n {
        let mut kinds: Vec<&str> = Vec::new();
        let before = picked.len();
        for a in alerts {
            if picked.len() >= n {
                break;
            }
            let key = subject(a);
            if kinds.contains(&a.kind.as_str())
                || picked.iter().any(|p| p.id == a.id)
                || (strict && seen.contains(&key))
            {
                continue;
            }
            kinds.push(&a.kind);
            seen.push(key);
            picked.push(a);
        }
        if picked.len() == before {
            strict = false;
        }
    }
    let rank = |s: &str| match s {
        "critical" => 0,
        "warning" => 1,
        _ => 2,
    };
    picked.sort_by_key(|a| rank(&a.severity));
    picked.into_iter().cloned().collect()
}

/// The resolutions, directives and conclusions being carried out, most overdue first.
#[component]
fn DirectivesScene(wall: Wall) -> impl IntoView {
    let lang = use_lang();
    let list = move || {
        let mut ds: Vec<DirectiveSummary> = wall
            .directives
            .with(|d| d.as_ref().map(|d| d.directives.clone()))
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d.status == "active" && d.tasks.assigned > 0)
            .collect();
        ds.sort_by(|a, b| {
            b.tasks
                .overdue
                .cmp(&a.tasks.overdue)
                .then(b.tasks.at_risk.cmp(&a.tasks.at_risk))
                .then(a.code.cmp(&b.code))
        });
        ds.truncate(LISTED);
        ds
    };
    view! {
        <div class="wall-directives">
            <Show when=move || !list().is_empty()
                fallback=|| view! { <p class="wall-empty">{t(Key::WallNoDirectives)}</p> }>
                <ul data-testid="wall-directive-list">
                    <For each=list key=|d: &DirectiveSummary| format!("{}{:?}", d.code, d.tasks)
                        children=move |d| {
                            let n = d.tasks.assigned.max(1) as f64;
                            let share = |x: u64| format!("{:.2}%", x as f64 / n * 100.0);
                            let kind = match d.kind.as_str() {
                                "resolution" => Key::DirResolution,
                                "conclusion" => Key::DirConclusion,
                                _ => Key::DirDirective,
                            };
                            let done = d.tasks.completion();
                            let overdue = d.tasks.overdue as i64;
                            let at_risk = d.tasks.at_risk as i64;
                            view! {
                                <li class="wall-directive" data-code=d.code.clone()>
                                    <p class="wall-directive-name">
                                        <span class="wall-directive-kind">{t(kind)}" "{d.number.clone()}</span>
                                        <span class="wall-directive-title">{d.title.clone()}</span>
                                    </p>
                                    <div class="wall-stack" aria-hidden="true">
                                        <span class="done" style=format!("width:{}", share(d.tasks.done))></span>
                                        <span class="on-track" style=format!("width:{}", share(d.tasks.on_track))></span>
                                        <span class="at-risk" style=format!("width:{}", share(d.tasks.at_risk))></span>
                                        <span class="overdue" style=format!("width:{}", share(d.tasks.overdue))></span>
                                    </div>
                                    <p class="wall-directive-figures">
                                        <b>{move || format::percent(done, lang.get())}</b>" "{t(Key::WallDone)}
                                        <span>{move || format::integer(d.tasks.assigned as i64, lang.get())}" "{t(Key::WallTasks)}</span>
                                        <span class="overdue">{move || format::integer(overdue, lang.get())}" "{t(Key::TaskOverdue)}</span>
                                        <span class="at-risk">{move || format::integer(at_risk, lang.get())}" "{t(Key::TaskAtRisk)}</span>
                                    </p>
                                </li>
                            }
                        }/>
                </ul>
                <p class="wall-stack-key">
                    <span class="done"></span>{t(Key::TaskDone)}
                    <span class="on-track"></span>{t(Key::TaskOnTrack)}
                    <span class="at-risk"></span>{t(Key::TaskAtRisk)}
                    <span class="overdue"></span>{t(Key::TaskOverdue)}
                </p>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::varied;
    use domain::alerts::AlertRecord;

    fn alert(id: i64, kind: &str, severity: &str, unit: &str) -> AlertRecord {
        AlertRecord {
            id,
            kind: kind.into(),
            severity: severity.into(),
            unit: unit.into(),
            unit_name: unit.into(),
            measure: "days_late".into(),
            sector: None,
            expected: None,
            observed: None,
            explanation: String::new(),
            link: None,
            state: "new".into(),
            owner: None,
            created_at: "2026-11-25T00:00:00Z".into(),
            updated_at: "2026-11-25T00:00:00Z".into(),
            about: None,
        }
    }

    #[test]
    fn the_wall_lists_each_kind_in_turn_and_a_unit_once_per_kind() {
        let alerts = vec![
            alert(1, "step_escalated", "critical", "92"),
            alert(2, "step_escalated", "critical", "92"),
            alert(3, "step_escalated", "critical", "96"),
            alert(4, "step_escalated", "critical", "92"),
            alert(5, "case_overdue", "critical", "92"),
            alert(6, "target_at_risk", "warning", "01"),
            alert(7, "anomaly", "info", "79"),
        ];
        let ids = |v: Vec<AlertRecord>| v.iter().map(|a| a.id).collect::<Vec<_>>();
        // Most severe first; each kind before a second of any; Cần Thơ (92) once per kind.
        assert_eq!(ids(varied(&alerts, 5)), vec![1, 5, 3, 6, 7]);
        // Asked for more than there are kinds and units: the rest in order.
        assert_eq!(ids(varied(&alerts, 7)), vec![1, 5, 3, 2, 4, 6, 7]);
        assert_eq!(ids(varied(&alerts, 2)), vec![1, 5]);
        assert!(varied(&[], 8).is_empty());
    }
}
