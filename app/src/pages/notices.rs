//! `/notices`: urgent notices. A leader or an administrator writes one and chooses the sites
//! under their unit (the centre's: the provinces and the committees under it); the list of notices
//! sent shows, live, how many sites have seen and acknowledged each, and for the chosen notice each
//! site's state: seen when and on which screen, acknowledged by whom, reminded. A site's people
//! see the notices their site received.

use crate::api::{self, ApiFailure};
use crate::components::notices::severity_key;
use crate::components::or_failed;
use crate::components::shell::AppShell;
use crate::i18n::{Key, t, text, use_lang};
use domain::format;
use domain::notices::{
    DEFAULT_EXPIRE_H, DEFAULT_REMIND_S, MAX_TEXT, NoticeDraft, NoticeList, NoticeRecord,
    NoticeSite, NoticeState, SiteChoice,
};
use leptos::prelude::*;

#[component]
pub fn NoticesPage() -> impl IntoView {
    view! { <AppShell><Notices/></AppShell> }
}

/// The reminder's choices, in minutes.
const REMIND_MINUTES: [i32; 6] = [1, 5, 15, 30, 60, 240];
/// How long a notice stays up, in hours.
const EXPIRE_HOURS: [i32; 6] = [1, 4, 8, 24, 72, 168];
const SEVERITIES: [&str; 3] = ["critical", "warning", "info"];

#[component]
fn Notices() -> impl IntoView {
    let live = crate::live::use_live();
    let version = RwSignal::new(0u32);
    // The latest answer wins: a fetch started later (an event right after the page's own send)
    // is never overwritten by an earlier one that took longer.
    let list = RwSignal::new(None::<Result<NoticeList, ApiFailure>>);
    let asked = StoredValue::new(0u32);
    Effect::new(move |_| {
        live.notices.track();
        version.track();
        let n = asked.get_value() + 1;
        asked.set_value(n);
        leptos::task::spawn_local(async move {
            let got = api::get::<NoticeList>("/api/v1/notices").await;
            if asked.try_get_value() == Some(n) {
                list.try_set(Some(got));
            }
        });
    });
    let selected = RwSignal::new(None::<i64>);
    let sent_now = move |id: i64| {
        selected.set(Some(id));
        version.update(|v| *v += 1);
    };
    // The sites one may send to, taken from the first answer: the form is made once, so what a
    // person is typing survives the list's updates.
    let sites = RwSignal::new(None::<Vec<SiteChoice>>);
    Effect::new(move |_| {
        if sites.with_untracked(Option::is_none)
            && let Some(Ok(l)) = list.get()
        {
            sites.set(Some(l.sites));
        }
    });
    let can_send = move || sites.with(|s| s.as_ref().is_some_and(|s| !s.is_empty()));
    view! {
        <div class="notices-page">
            <div class="page-head">
                <h1>{t(Key::NtTitle)}</h1>
                <p class="hint">{t(Key::NtHint)}</p>
            </div>
            <div class="notices-grid">
                {move || sites.get().filter(|s| !s.is_empty()).map(|s| view! { <NoticeForm sites=s on_sent=sent_now/> })}
                {move || match list.get() {
                    None => view! { <p class="loading">{t(Key::Loading)}</p> }.into_any(),
                    Some(r) => or_failed(r, move |l: NoticeList| {
                        let chosen = selected.get().or_else(|| l.sent.first().map(|n| n.id));
                        let detail = l.sent.iter().find(|n| Some(n.id) == chosen).cloned();
                        let may_send = can_send();
                        view! {
                            <section class="card notices-sent" data-testid="notices-sent">
                                <h2>{t(Key::NtSentTitle)}</h2>
                                {l.sent.is_empty().then(|| view! { <p class="muted">{t(Key::NtNoneSent)}</p> })}
                                <ul class="notice-list">
                                    {l.sent.iter().cloned().map(|n| {
                                        let id = n.id;
                                        view! { <SentItem n=n chosen=chosen == Some(id) on_pick=move || selected.set(Some(id))/> }
                                    }).collect_view()}
                                </ul>
                            </section>
                            {detail.map(|n| view! { <NoticeDetail n=n may_close=may_send on_change=move || version.update(|v| *v += 1)/> })}
                            {(!l.received.is_empty() || !may_send).then(|| view! {
                                <section class="card notices-received" data-testid="notices-received">
                                    <h2>{t(Key::NtReceivedTitle)}</h2>
                                    {l.received.is_empty().then(|| view! { <p class="muted">{t(Key::NtNoneReceived)}</p> })}
                                    <ul class="notice-list">
                                        {l.received.iter().cloned().map(|n| view! { <ReceivedItem n=n/> }).collect_view()}
                                    </ul>
                                </section>
                            })}
                        }
                    }),
                }}
            </div>
        </div>
    }
}

fn state_key(state: NoticeState) -> Key {
    match state {
        NoticeState::Active => Key::NtStateActive,
        NoticeState::Closed => Key::NtStateClosed,
        NoticeState::Expired => Key::NtStateExpired,
    }
}

fn state_name(state: NoticeState) -> &'static str {
    match state {
        NoticeState::Active => "active",
        NoticeState::Closed => "closed",
        NoticeState::Expired => "expired",
    }
}

fn time(at: &Option<String>) -> String {
    at.as_deref()
        .and_then(format::local_time)
        .unwrap_or_default()
}

#[component]
fn SentItem(n: NoticeRecord, chosen: bool, on_pick: impl Fn() + 'static) -> impl IntoView {
    let tally = n.tally;
    let share = if tally.sites == 0 {
        0.0
    } else {
        tally.acknowledged as f64 / tally.sites as f64 * 100.0
    };
    let seen_share = if tally.sites == 0 {
        0.0
    } else {
        tally.seen as f64 / tally.sites as f64 * 100.0
    };
    view! {
        <li>
            <button type="button" class="notice-item" class:chosen=chosen data-testid="notice-sent"
                data-id=n.id.to_string() data-severity=n.severity.clone() on:click=move |_| on_pick()>
                <span class="notice-item-head">
                    <span class="pill nt-sev" data-severity=n.severity.clone()>{t(severity_key(&n.severity))}</span>
                    <span class="pill state" data-state=state_name(n.state)>{t(state_key(n.state))}</span>
                    <span class="muted">{time(&Some(n.sent_at.clone()))}</span>
                </span>
                <span class="notice-item-text">{n.text.clone()}</span>
                <span class="notice-tally">
                    <span class="tally-bar" aria-hidden="true">
                        <span class="tally-seen" style=format!("width:{seen_share:.1}%")></span>
                        <span class="tally-ack" style=format!("width:{share:.1}%")></span>
                    </span>
                    <span data-testid="notice-tally-ack" data-value=tally.acknowledged.to_string()
                        data-of=tally.sites.to_string()>
                        <b>{tally.acknowledged}"/"{tally.sites}</b>" "{t(Key::NtAckOf)}
                    </span>
                    <span class="muted">{tally.seen}"/"{tally.sites}" "{t(Key::NtSeenOf)}</span>
                    {(tally.overdue > 0).then(|| view! {
                        <span class="pill overdue" data-testid="notice-tally-overdue" data-value=tally.overdue.to_string()>
                            {tally.overdue}" "{t(Key::NtOverdue)}
                        </span>
                    })}
                </span>
            </button>
        </li>
    }
}

#[component]
fn ReceivedItem(n: NoticeRecord) -> impl IntoView {
    let mine: Option<NoticeSite> = n.sites.first().cloned();
    let acked = mine.as_ref().and_then(|s| s.acknowledged_at.clone());
    let by = mine.as_ref().and_then(|s| s.acknowledged_by.clone());
    view! {
        <li class="notice-received" data-testid="notice-received" data-id=n.id.to_string()>
            <span class="notice-item-head">
                <span class="pill nt-sev" data-severity=n.severity.clone()>{t(severity_key(&n.severity))}</span>
                <span class="pill state" data-state=state_name(n.state)>{t(state_key(n.state))}</span>
                <span class="muted">{t(Key::NtFrom)}" "{n.sender_unit_name.clone()}" · "{time(&Some(n.sent_at.clone()))}</span>
            </span>
            <p class="notice-item-text">{n.text.clone()}</p>
            <p class="muted">
                {match acked {
                    Some(at) => view! { <span>{t(Key::NtAcked)}" "{time(&Some(at))}" "{t(Key::NtBy)}" "{by.unwrap_or_default()}</span> }.into_any(),
                    None => view! { <span>{t(Key::NtAwaiting)}</span> }.into_any(),
                }}
            </p>
        </li>
    }
}

/// One site's state, for the table and the tests.
fn site_state(s: &NoticeSite) -> (&'static str, Key) {
    if s.acknowledged_at.is_some() {
        ("acknowledged", Key::NtAcked)
    } else if s.reminded_at.is_some() {
        ("overdue", Key::NtOverdue)
    } else if s.seen_at.is_some() {
        ("seen", Key::NtSeen)
    } else {
        ("waiting", Key::NtNotSeen)
    }
}

#[component]
fn NoticeDetail(
    n: NoticeRecord,
    may_close: bool,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let error = RwSignal::new(None::<String>);
    let id = n.id;
    let close = move |_| {
        if !crate::browser::confirm(text(lang.get_untracked(), Key::NtCloseConfirm)) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::post::<_, NoticeRecord>(&format!("/api/v1/notices/{id}/close"), &()).await {
                Ok(_) => on_change(),
                Err(ApiFailure::Status(_, msg)) => error.set(Some(msg)),
                Err(ApiFailure::Network) => {
                    error.set(Some(text(lang.get_untracked(), Key::NetworkError).into()))
                }
            }
        });
    };
    let mut sites = n.sites.clone();
    // Those still to act first: overdue, not seen, seen; the acknowledged last.
    sites.sort_by_key(|s| match site_state(s).0 {
        "overdue" => 0,
        "waiting" => 1,
        "seen" => 2,
        _ => 3,
    });
    let active = n.state == NoticeState::Active;
    view! {
        <section class="card notice-detail" data-testid="notice-detail" data-id=id.to_string()>
            <div class="notice-detail-head">
                <div>
                    <h2>{t(Key::NtDetails)}</h2>
                    <p class="notice-detail-text">{n.text.clone()}</p>
                    <p class="muted">
                        {t(Key::NtSentAt)}" "{time(&Some(n.sent_at.clone()))}" "{t(Key::NtBy)}" "{n.sender.clone()}
                        " · "{t(Key::NtRemindAt)}" "{time(&Some(n.remind_at.clone()))}
                        " · "{t(Key::NtExpiresAt)}" "{time(&Some(n.expires_at.clone()))}
                        {n.unit_name.clone().map(|u| view! { " · "{t(Key::NtConcerns)}": "{u} })}
                    </p>
                </div>
                {(may_close && active).then(|| view! {
                    <button type="button" class="btn-secondary danger" data-testid="notice-close" on:click=close>{t(Key::NtClose)}</button>
                })}
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <table class="notice-sites">
                <thead><tr>
                    <th>{t(Key::NtSite)}</th><th>{t(Key::NtSeen)}</th><th>{t(Key::NtAcked)}</th><th>{t(Key::NtReminded)}</th>
                </tr></thead>
                <tbody>
                    {sites.into_iter().map(|s| {
                        let (state, key) = site_state(&s);
                        view! {
                            <tr data-testid="notice-site-row" data-unit=s.unit.clone() data-state=state>
                                <td><span class="site-name">{s.name.clone()}</span>" "<span class="muted">{s.unit.clone()}</span></td>
                                <td>{s.seen_at.is_some().then(|| view! { {time(&s.seen_at)}<br/><span class="muted">{s.seen_by.clone().unwrap_or_default()}</span> })}</td>
                                <td>
                                    <span class="pill site-state" data-state=state>{t(key)}</span>
                                    {s.acknowledged_at.is_some().then(|| view! { <br/>{time(&s.acknowledged_at)}" "<span class="muted">{s.acknowledged_by.clone().unwrap_or_default()}</span> })}
                                </td>
                                <td data-testid="notice-site-reminded">{time(&s.reminded_at)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The form that sends a notice.
#[component]
fn NoticeForm(
    sites: Vec<SiteChoice>,
    on_sent: impl Fn(i64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let body = RwSignal::new(String::new());
    let severity = RwSignal::new("critical".to_string());
    let chosen = RwSignal::new(Vec::<String>::new());
    let link = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let alert = RwSignal::new(String::new());
    let remind = RwSignal::new((DEFAULT_REMIND_S / 60).to_string());
    let expires = RwSignal::new(DEFAULT_EXPIRE_H.to_string());
    let error = RwSignal::new(None::<String>);
    let ok = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let all: Vec<String> = sites.iter().map(|s| s.code.clone()).collect();
    let of_level = |level: &str| -> Vec<String> {
        sites
            .iter()
            .filter(|s| s.level == level)
            .map(|s| s.code.clone())
            .collect()
    };
    let provinces = of_level("province");
    let committees = of_level("committee");
    let pick = move |codes: Vec<String>| {
        chosen.update(|c| {
            for code in codes {
                if !c.contains(&code) {
                    c.push(code);
                }
            }
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = NoticeDraft {
            text: body.get_untracked(),
            severity: severity.get_untracked(),
            sites: chosen.get_untracked(),
            link: Some(link.get_untracked()).filter(|l| !l.trim().is_empty()),
            unit: Some(unit.get_untracked()).filter(|u| !u.trim().is_empty()),
            // A number the server refuses, naming the field, rather than a guess.
            alert: match alert.get_untracked().trim() {
                "" => None,
                a => Some(a.parse().unwrap_or(-1)),
            },
            remind_after_seconds: remind.get_untracked().parse::<i32>().ok().map(|m| m * 60),
            expires_after_hours: expires.get_untracked().parse().ok(),
        };
        busy.set(true);
        error.set(None);
        ok.set(false);
        leptos::task::spawn_local(async move {
            match api::post::<_, NoticeRecord>("/api/v1/notices", &draft).await {
                Ok(made) => {
                    ok.set(true);
                    body.set(String::new());
                    chosen.set(Vec::new());
                    on_sent(made.id);
                }
                Err(ApiFailure::Status(_, msg)) => error.set(Some(msg)),
                Err(ApiFailure::Network) => {
                    error.set(Some(text(lang.get_untracked(), Key::NetworkError).into()))
                }
            }
            busy.set(false);
        });
    };
    let count = move || chosen.with(Vec::len);
    let (p, c) = (provinces.clone(), committees.clone());
    view! {
        <form class="card notice-form" on:submit=submit data-testid="notice-form">
            <h2>{t(Key::NtNew)}</h2>
            <label class="notice-text-field">{t(Key::NtText)}
                <textarea name="text" rows="3" required maxlength=MAX_TEXT.to_string() data-testid="notice-text"
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <span class="hint">{t(Key::NtTextHint)}" "<span class="muted">{move || body.with(|b| b.chars().count())}"/"{MAX_TEXT}</span></span>
            </label>
            <fieldset class="notice-severity">
                <legend>{t(Key::NtSeverity)}</legend>
                {SEVERITIES.iter().map(|s| view! {
                    <label class="chip" data-severity=*s class:on=move || severity.get() == *s>
                        <input type="radio" name="severity" value=*s prop:checked=move || severity.get() == *s
                            on:change=move |_| severity.set(s.to_string())/>
                        {t(severity_key(s))}
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="notice-sites-pick">
                <legend>{t(Key::NtSites)}" · "<b data-testid="notice-chosen">{count}</b>" "{t(Key::NtChosen)}</legend>
                <div class="quick-picks">
                    {(!p.is_empty()).then(|| view! { <button type="button" class="btn-ghost" on:click=move |_| pick(p.clone())>{t(Key::NtAllProvinces)}</button> })}
                    {(!c.is_empty()).then(|| view! { <button type="button" class="btn-ghost" on:click=move |_| pick(c.clone())>{t(Key::NtAllCommittees)}</button> })}
                    <button type="button" class="btn-ghost" on:click=move |_| chosen.set(all.clone())>{t(Key::NtAll)}</button>
                    <button type="button" class="btn-ghost" on:click=move |_| chosen.set(Vec::new())>{t(Key::NtClear)}</button>
                </div>
                <div class="site-grid">
                    {sites.iter().map(|s| {
                        let code = s.code.clone();
                        let is_on = |code: String| move || chosen.with(|c| c.contains(&code));
                        let (on, ticked) = (is_on(code.clone()), is_on(code.clone()));
                        view! {
                            <label class="site-pick" class:on=on data-testid=format!("notice-site-{}", s.code)>
                                <input type="checkbox" value=s.code.clone() prop:checked=ticked
                                    on:change=move |ev| {
                                        let tick = event_target_checked(&ev);
                                        let code = code.clone();
                                        chosen.update(|c| {
                                            c.retain(|x| *x != code);
                                            if tick {
                                                c.push(code);
                                            }
                                        });
                                    }/>
                                <span>{s.name.clone()}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <div class="form-row">
                <label>{t(Key::NtRemind)}
                    <select name="remind" data-testid="notice-remind" on:change=move |ev| remind.set(event_target_value(&ev))>
                        {REMIND_MINUTES.iter().map(|m| view! {
                            <option value=m.to_string() selected=move || remind.get() == m.to_string()>{m.to_string()}" "{t(Key::NtMinutes)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{t(Key::NtExpires)}
                    <select name="expires" on:change=move |ev| expires.set(event_target_value(&ev))>
                        {EXPIRE_HOURS.iter().map(|h| view! {
                            <option value=h.to_string() selected=move || expires.get() == h.to_string()>{h.to_string()}" "{t(Key::NtHours)}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="form-row">
                <label>{t(Key::NtLink)}
                    <input type="text" name="link" placeholder="/overview/01" prop:value=move || link.get()
                        on:input=move |ev| link.set(event_target_value(&ev))/>
                </label>
                <label>{t(Key::NtUnit)}
                    <input type="text" name="unit" placeholder="01" prop:value=move || unit.get()
                        on:input=move |ev| unit.set(event_target_value(&ev))/>
                </label>
                <label>{t(Key::NtAlert)}
                    <input type="text" inputmode="numeric" name="alert" prop:value=move || alert.get()
                        on:input=move |ev| alert.set(event_target_value(&ev))/>
                </label>
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="notice-error">{e}</p> })}
            {move || ok.get().then(|| view! { <p class="form-ok" role="status">{t(Key::NtSentOk)}</p> })}
            <button type="submit" class="btn-primary" data-testid="notice-send" disabled=move || busy.get() || count() == 0>
                {t(Key::NtSend)}
            </button>
        </form>
    }
}
