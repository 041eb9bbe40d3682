//! Thematic supervision programmes: the list with headline figures, where two or more are picked
//! for comparison (`/programmes`); one programme (`/programmes/ID`): its coverage on the map and
//! by stage, its pace against the milestones, findings by category, the disciplines that
//! followed, and each planned unit with a link to its remote supervision view; and programmes
//! side by side (`/programmes/compare?ids=`).

use crate::api;
use crate::components::or_failed;
use crate::components::shell::AppShell;
use crate::i18n::{Key, t, text, use_lang};
use crate::map::{AreaMap, MapValue};
use domain::format;
use domain::programmes::{
    Coverage, Findings, MilestoneProgress, MilestoneState, PaceState, ProgrammeComparison,
    ProgrammeDetail, ProgrammeList, ProgrammeSummary, Stage, UnitProgress,
};
use leptos::prelude::*;

/// The label of a stage; `None`: not yet supervised.
pub fn stage_key(s: Option<Stage>) -> Key {
    match s {
        None => Key::PgNotYet,
        Some(Stage::Planned) => Key::PgStagePlanned,
        Some(Stage::InProgress) => Key::PgStageInProgress,
        Some(Stage::Concluded) => Key::PgStageConcluded,
    }
}

/// The class suffix of a stage (colours in style/88-programmes.css).
pub fn stage_class(s: Option<Stage>) -> &'static str {
    s.map(Stage::as_str).unwrap_or("none")
}

fn pace_key(p: PaceState) -> Key {
    match p {
        PaceState::Ahead => Key::PgPaceAhead,
        PaceState::OnTrack => Key::PgPaceOnTrack,
        PaceState::Behind => Key::PgPaceBehind,
        PaceState::NotStarted => Key::PgPaceNotStarted,
    }
}

fn milestone_key(m: MilestoneState) -> Key {
    match m {
        MilestoneState::Met => Key::PgMilestoneMet,
        MilestoneState::Missed => Key::PgMilestoneMissed,
        MilestoneState::OnTrack => Key::PgPaceOnTrack,
        MilestoneState::Behind => Key::PgPaceBehind,
        MilestoneState::Upcoming => Key::PgMilestoneUpcoming,
    }
}

/// Map colours of the stages: not planned, not yet supervised, then each stage.
const STAGE_STEPS: &[(f64, &str)] = &[
    (-1.0, "#e3e7ec"),
    (0.0, "#d9534f"),
    (1.0, "#f2c14e"),
    (2.0, "#6fa8dc"),
    (3.0, "#2e8b57"),
];

fn stage_value(s: Option<Stage>) -> f64 {
    match s {
        None => 0.0,
        Some(Stage::Planned) => 1.0,
        Some(Stage::InProgress) => 2.0,
        Some(Stage::Concluded) => 3.0,
    }
}

/// The coverage as a bar split by stage, the not yet supervised last.
#[component]
fn StageBar(coverage: Coverage) -> impl IntoView {
    let lang = use_lang();
    let total = coverage.planned_units.max(1) as f64;
    let s = coverage.by_stage;
    let not_yet = coverage.planned_units - coverage.supervised;
    let parts = [
        (Some(Stage::Concluded), s.concluded),
        (Some(Stage::InProgress), s.in_progress),
        (Some(Stage::Planned), s.planned),
        (None, not_yet),
    ];
    let label = move || {
        parts
            .iter()
            .map(|(st, n)| format!("{} {}", text(lang.get(), stage_key(*st)), n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <span class="stage-bar" role="img" aria-label=label>
            {parts.into_iter().filter(|(_, n)| *n > 0).map(|(st, n)| view! {
                <span class=format!("seg stage-{}", stage_class(st)) style=format!("width:{:.2}%", n as f64 * 100.0 / total)></span>
            }).collect_view()}
        </span>
    }
}

/// The stage counts as figures, with their colours.
#[component]
fn StageFigures(coverage: Coverage) -> impl IntoView {
    let lang = use_lang();
    let s = coverage.by_stage;
    let parts = [
        (Some(Stage::Concluded), s.concluded),
        (Some(Stage::InProgress), s.in_progress),
        (Some(Stage::Planned), s.planned),
        (None, coverage.planned_units - coverage.supervised),
    ];
    view! {
        <span class="stage-figures">
            {parts.into_iter().map(|(st, n)| view! {
                <span class="fig" data-stage=stage_class(st) data-value=n.to_string()>
                    <span class=format!("dot stage-{}", stage_class(st))></span>
                    <b>{move || format::integer(n as i64, lang.get())}</b>" "{t(stage_key(st))}
                </span>
            }).collect_view()}
        </span>
    }
}

#[component]
fn PaceChip(state: PaceState) -> impl IntoView {
    view! { <span class=format!("pace-chip pace-{}", state.as_str()) data-pace=state.as_str()>{t(pace_key(state))}</span> }
}

#[component]
pub fn ProgrammesPage() -> impl IntoView {
    view! { <AppShell><Programmes/></AppShell> }
}

#[component]
fn Programmes() -> impl IntoView {
    let live = crate::live::use_live();
    let list = LocalResource::new(move || {
        live.data.track();
        api::get::<ProgrammeList>("/api/v1/programmes")
    });
    let picked = RwSignal::new(Vec::<i64>::new());
    let compare_href = move || {
        let ids: Vec<String> = picked.get().iter().map(|i| i.to_string()).collect();
        format!("/programmes/compare?ids={}", ids.join(","))
    };
    let can_compare = move || (2..=8).contains(&picked.get().len());
    view! {
        <div class="directives programmes">
            <div class="page-head">
                <h1>{t(Key::PgTitle)}</h1>
                <p class="hint">{t(Key::PgHint)}</p>
            </div>
            <div class="compare-bar" data-testid="compare-bar">
                <span><b data-testid="picked-count">{move || picked.get().len()}</b>" "{t(Key::PgSelected)}</span>
                <span class="hint">{t(Key::PgCompareHint)}</span>
                <a class="btn-primary compare-go" data-testid="compare-go" href=compare_href
                    class:disabled=move || !can_compare()
                    aria-disabled=move || (!can_compare()).to_string()
                    on:click=move |ev| if !can_compare() { ev.prevent_default(); }>
                    {t(Key::PgCompare)}
                </a>
            </div>
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || list.get().map(|r| or_failed(r, |l| {
                    if l.programmes.is_empty() {
                        return view! { <p class="hint">{t(Key::PgNone)}</p> }.into_any();
                    }
                    view! {
                        <ul class="programme-list" data-testid="programme-list">
                            {l.programmes.into_iter().map(|p| view! { <ProgrammeCard p=p picked=picked/> }).collect_view()}
                        </ul>
                    }.into_any()
                }))}
            </Transition>
        </div>
    }
}

#[component]
fn ProgrammeCard(p: ProgrammeSummary, picked: RwSignal<Vec<i64>>) -> impl IntoView {
    let lang = use_lang();
    let id = p.id;
    let cov = p.coverage;
    let f = p.findings.clone();
    let next = p
        .milestones
        .iter()
        .find(|m| {
            matches!(
                m.state,
                MilestoneState::OnTrack | MilestoneState::Behind | MilestoneState::Upcoming
            )
        })
        .cloned();
    let checked = move || picked.get().contains(&id);
    view! {
        <li class="programme-card" data-id=id.to_string() data-code=p.code.clone()>
            <label class="pick" title=t(Key::PgSelect)>
                <input type="checkbox" data-testid="pick" prop:checked=checked
                    on:change=move |_| picked.update(|v| {
                        if let Some(i) = v.iter().position(|x| *x == id) { v.remove(i); } else { v.push(id); }
                    })/>
                <span class="sr-only">{t(Key::PgSelect)}</span>
            </label>
            <a class="programme-link" href=format!("/programmes/{id}")>
                <span class="directive-meta">
                    <span class="directive-kind">{p.code.clone()}</span>
                    {p.owner_name.clone()}" · "{format::date(p.period_from)}" – "{format::date(p.period_to)}
                </span>
                <strong class="programme-name">{p.name.clone()}</strong>
                <span class="programme-cover">
                    <span class="cover-big" data-testid="card-coverage" data-value=cov.share.unwrap_or(0.0).to_string()>
                        {move || format::percent(cov.share, lang.get())}
                    </span>
                    <span class="cover-of">
                        <b>{cov.supervised}</b>"/"{cov.planned_units}" "{t(Key::PgPlannedUnits)}
                    </span>
                    <PaceChip state=p.pace.state/>
                </span>
                <StageBar coverage=cov/>
                <span class="programme-figs">
                    <span>{t(Key::PgCases)}" "<b>{move || format::integer(f.cases as i64, lang.get())}</b></span>
                    <span>{t(Key::ViolationRate)}" "<b>{move || format::percent(f.violation_rate, lang.get())}</b></span>
                    <span>{t(Key::PgDisciplined)}" "<b>{move || format::integer(f.disciplined as i64, lang.get())}</b></span>
                </span>
                {next.map(|m| view! {
                    <span class="programme-next">
                        {t(Key::PgNextMilestone)}": "<b>{m.name.clone()}</b>" ("{format::date(m.due_on)}") · "
                        {m.achieved}"/"{m.planned_units}
                    </span>
                })}
            </a>
        </li>
    }
}

#[component]
pub fn ProgrammePage() -> impl IntoView {
    view! { <AppShell><Programme/></AppShell> }
}

#[component]
fn Programme() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let live = crate::live::use_live();
    let detail = LocalResource::new(move || {
        live.data.track();
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        async move { api::get::<ProgrammeDetail>(&format!("/api/v1/programmes/{id}")).await }
    });
    view! {
        <div class="directives programmes">
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || detail.get().map(|r| or_failed(r, |d| view! { <ProgrammeBody d=d/> }))}
            </Transition>
        </div>
    }
}

#[component]
fn ProgrammeBody(d: ProgrammeDetail) -> impl IntoView {
    let lang = use_lang();
    let p = d.programme.clone();
    let id = p.id;
    let cov = p.coverage;
    let pace = p.pace;
    // Provinces on the country's map; communes on their province's.
    let communes = d
        .units
        .iter()
        .any(|u| u.level == domain::UnitLevel::Commune);
    let (level, within) = if communes && p.owner_unit.len() == 2 {
        ("commune", Some(p.owner_unit.clone()))
    } else {
        ("province", None)
    };
    let values: Vec<MapValue> = d
        .units
        .iter()
        .map(|u| MapValue {
            code: u.unit.clone(),
            value: stage_value(u.stage),
        })
        .collect();
    let planned: Vec<String> = d.units.iter().map(|u| u.unit.clone()).collect();
    let selected = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(u) = selected.get()
            && planned.contains(&u)
        {
            crate::browser::go_to(&format!("/remote/{u}?programme={id}"));
        }
    });
    view! {
        <div class="page-head">
            <p class="crumbs"><a href="/programmes">{t(Key::PgTitle)}</a></p>
            <h1 data-testid="programme-name">{p.name.clone()}</h1>
            <p class="programme-meta">
                <span><span class="meta-label">{t(Key::PgTheme)}</span>" "{p.theme.clone()}</span>
                <span><span class="meta-label">{t(Key::PgOwner)}</span>" "{p.owner_name.clone()}</span>
                <span><span class="meta-label">{t(Key::PgPeriod)}</span>" "{format::date(p.period_from)}" – "{format::date(p.period_to)}</span>
                <span><span class="meta-label">{t(Key::PgCreatedBy)}</span>" "{d.created_by.clone()}</span>
            </p>
        </div>
        <section class="card programme-summary" data-testid="programme-summary">
            <div class="cover-block">
                <span class="meta-label">{t(Key::PgCoverage)}</span>
                <span class="cover-huge" data-testid="coverage-share" data-value=cov.share.unwrap_or(0.0).to_string()
                    data-supervised=cov.supervised.to_string() data-planned=cov.planned_units.to_string()>
                    {move || format::percent(cov.share, lang.get())}
                </span>
                <span class="cover-of"><b>{cov.supervised}</b>" "{t(Key::PgUnitsOf)}" "<b>{cov.planned_units}</b></span>
            </div>
            <div class="cover-stages">
                <StageBar coverage=cov/>
                <StageFigures coverage=cov/>
                <p class="hint">{t(Key::PgCoverageHint)}" "{t(Key::DataAsOf)}" "{format::date(d.as_of)}</p>
            </div>
            <div class="pace-block" data-testid="pace">
                <span class="meta-label">{t(Key::PgPace)}</span>
                <PaceChip state=pace.state/>
                <span class="pace-figs">
                    <b>{pace.supervised}</b>" / "{move || format::decimal(pace.expected, 1, lang.get())}" "
                    <span class="hint">{t(Key::PgExpectedToday)}</span>
                </span>
            </div>
        </section>
        <div class="programme-grid">
            <section class="card programme-map-card">
                <h2>{t(Key::PgMapTitle)}</h2>
                <div class="programme-map">
                    <AreaMap level=level within=within values=Signal::derive(move || values.clone()) selected=selected steps=STAGE_STEPS/>
                </div>
                <ul class="legend stage-legend">
                    {[(Some(Stage::Concluded), 4usize), (Some(Stage::InProgress), 3), (Some(Stage::Planned), 2), (None, 1), (None, 0)]
                        .into_iter()
                        .map(|(st, i)| {
                            let key = if i == 0 { Key::PgNotPlanned } else { stage_key(st) };
                            let colour = STAGE_STEPS[i].1;
                            view! { <li><span class="swatch" style=format!("background:{colour}")></span>{t(key)}</li> }
                        })
                        .collect_view()}
                </ul>
            </section>
            <Milestones milestones=p.milestones.clone() planned=cov.planned_units/>
        </div>
        <FindingsCard findings=p.findings.clone()/>
        <UnitTable units=d.units id=id/>
    }
}

#[component]
fn Milestones(milestones: Vec<MilestoneProgress>, planned: u32) -> impl IntoView {
    let lang = use_lang();
    let of = planned.max(1) as f64;
    view! {
        <section class="card programme-milestones" data-testid="milestones">
            <h2>{t(Key::PgMilestones)}</h2>
            <ol class="milestone-list">
                {milestones.into_iter().map(|m| {
                    let achieved = m.achieved as f64 * 100.0 / of;
                    let target = m.planned_units as f64 * 100.0 / of;
                    view! {
                        <li class=format!("milestone ms-{}", m.state.as_str()) data-state=m.state.as_str()
                            data-achieved=m.achieved.to_string() data-planned=m.planned_units.to_string()>
                            <div class="milestone-head">
                                <strong>{m.name.clone()}</strong>
                                <span class="hint">{t(Key::PgDue)}" "{format::date(m.due_on)}</span>
                                <span class=format!("ms-chip ms-{}", m.state.as_str())>{t(milestone_key(m.state))}</span>
                            </div>
                            <div class="task-progress">
                                <span class="progress-track" role="img"
                                    aria-label=move || format!("{} {}, {} {}", text(lang.get(), Key::PgAchieved), m.achieved, text(lang.get(), Key::PgPlanned), m.planned_units)>
                                    <span class=format!("progress-fill ms-fill-{}", m.state.as_str()) style=format!("width:{achieved:.1}%")></span>
                                    <span class="progress-expected" style=format!("left:{target:.1}%")></span>
                                </span>
                                <span class="task-pct">{m.achieved}"/"{m.planned_units}</span>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn FindingsCard(findings: Findings) -> impl IntoView {
    let lang = use_lang();
    let f = findings;
    let max_cat = f
        .by_category
        .iter()
        .map(|c| c.cases)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let max_form = f
        .disciplines
        .iter()
        .map(|c| c.cases)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (cases, concluded, violations, rate, amount, disciplined) = (
        f.cases,
        f.concluded,
        f.violations,
        f.violation_rate,
        f.amount_vnd,
        f.disciplined,
    );
    view! {
        <section class="card programme-findings" data-testid="findings">
            <h2>{t(Key::PgFindings)}</h2>
            <div class="finding-tiles">
                <p class="finding-tile" data-testid="findings-cases" data-value=cases.to_string()><b>{move || format::integer(cases as i64, lang.get())}</b><span>{t(Key::PgCases)}</span></p>
                <p class="finding-tile"><b>{move || format::integer(concluded as i64, lang.get())}</b><span>{t(Key::PgConcluded)}</span></p>
                <p class="finding-tile" data-testid="findings-violations" data-value=violations.to_string()><b>{move || format::integer(violations as i64, lang.get())}</b><span>{t(Key::PgViolations)}</span></p>
                <p class="finding-tile"><b>{move || format::percent(rate, lang.get())}</b><span>{t(Key::ViolationRate)}</span></p>
                <p class="finding-tile"><b>{move || format::vnd(amount, lang.get())}</b><span>{t(Key::PgAmount)}</span></p>
                <p class="finding-tile"><b>{move || format::integer(disciplined as i64, lang.get())}</b><span>{t(Key::PgDisciplined)}</span></p>
            </div>
            <div class="finding-bars">
                <div>
                    <h3>{t(Key::PgByCategory)}</h3>
                    {if f.by_category.is_empty() {
                        view! { <p class="hint">{t(Key::PgNoViolations)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="hbars" data-testid="by-category">
                                {f.by_category.into_iter().map(|c| view! {
                                    <li data-category=c.category.as_str() data-value=c.cases.to_string()>
                                        <span class="hbar-label">{move || crate::labels::category(c.category, lang.get())}</span>
                                        <span class="hbar-track"><span class="hbar-fill cat" style=format!("width:{:.1}%", c.cases as f64 * 100.0 / max_cat)></span></span>
                                        <span class="hbar-value">{c.cases}<small>" · "{move || format::vnd(c.amount_vnd, lang.get())}</small></span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
                <div>
                    <h3>{t(Key::PgDisciplines)}</h3>
                    {if f.disciplines.is_empty() {
                        view! { <p class="hint">{t(Key::PgNoDisciplines)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="hbars" data-testid="disciplines">
                                {f.disciplines.into_iter().map(|d| view! {
                                    <li data-form=d.form.as_str() data-value=d.cases.to_string()>
                                        <span class="hbar-label">{move || crate::labels::discipline(Some(d.form), lang.get())}</span>
                                        <span class="hbar-track"><span class="hbar-fill disc" style=format!("width:{:.1}%", d.cases as f64 * 100.0 / max_form)></span></span>
                                        <span class="hbar-value">{d.cases}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
            </div>
        </section>
    }
}

#[component]
fn UnitTable(units: Vec<UnitProgress>, id: i64) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card programme-units">
            <h2>{t(Key::PgUnits)}</h2>
            <div class="table-scroll">
                <table class="unit-task-table programme-unit-table" data-testid="programme-units">
                    <thead><tr>
                        <th scope="col">{t(Key::PgUnit)}</th>
                        <th scope="col">{t(Key::PgStage)}</th>
                        <th scope="col" class="num">{t(Key::PgCases)}</th>
                        <th scope="col" class="num">{t(Key::PgViolations)}</th>
                        <th scope="col" class="num">{t(Key::PgDisciplined)}</th>
                        <th scope="col">{t(Key::PgFirstSupervised)}</th>
                        <th scope="col"><span class="sr-only">{t(Key::PgRemote)}</span></th>
                    </tr></thead>
                    <tbody>
                        {units.into_iter().map(|u| {
                            let href = format!("/remote/{}?programme={id}", u.unit);
                            view! {
                                <tr data-unit=u.unit.clone() data-stage=stage_class(u.stage)>
                                    <td><a href=href.clone()>{u.name.clone()}</a></td>
                                    <td><span class=format!("stage-chip stage-{}", stage_class(u.stage))>{t(stage_key(u.stage))}</span></td>
                                    <td class="num">{move || format::integer(u.cases as i64, lang.get())}</td>
                                    <td class="num">{u.violations}</td>
                                    <td class="num">{u.disciplines}</td>
                                    <td>{u.first_opened.map(format::date).unwrap_or_else(|| "–".into())}</td>
                                    <td><a class="remote-link" href=href data-testid="remote-link">{t(Key::PgRemote)}" ›"</a></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
pub fn ComparePage() -> impl IntoView {
    view! { <AppShell><Compare/></AppShell> }
}

#[component]
fn Compare() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let live = crate::live::use_live();
    let cmp = LocalResource::new(move || {
        live.data.track();
        let ids = query.with(|q| q.get("ids")).unwrap_or_default();
        async move {
            api::get::<ProgrammeComparison>(&format!("/api/v1/programmes/compare?ids={ids}")).await
        }
    });
    view! {
        <div class="directives programmes">
            <div class="page-head">
                <p class="crumbs"><a href="/programmes">{t(Key::PgBack)}</a></p>
                <h1>{t(Key::PgCompareTitle)}</h1>
            </div>
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || cmp.get().map(|r| or_failed(r, |c| view! { <CompareTable c=c/> }))}
            </Transition>
        </div>
    }
}

#[component]
fn CompareTable(c: ProgrammeComparison) -> impl IntoView {
    let lang = use_lang();
    let ps = c.programmes;
    let n = ps.len();
    // One row: its label and each programme's cell.
    let row = |key: Key, testid: &'static str, cell: &dyn Fn(&ProgrammeSummary) -> AnyView| {
        view! {
            <tr data-testid=testid>
                <th scope="row">{t(key)}</th>
                {ps.iter().map(|p| view! { <td>{cell(p)}</td> }).collect_view()}
            </tr>
        }
    };
    let rows = view! {
        {row(Key::PgCoverage, "cmp-coverage", &|p| {
            let cov = p.coverage;
            view! {
                <span class="cmp-cover" data-value=cov.share.unwrap_or(0.0).to_string()>
                    <b>{move || format::percent(cov.share, lang.get())}</b>" "
                    <span class="hint">{cov.supervised}"/"{cov.planned_units}</span>
                </span>
                <StageBar coverage=cov/>
            }.into_any()
        })}
        {row(Key::PgPace, "cmp-pace", &|p| {
            let pace = p.pace;
            view! {
                <PaceChip state=pace.state/>
                <span class="hint">" "{pace.supervised}" / "{move || format::decimal(pace.expected, 1, lang.get())}</span>
            }.into_any()
        })}
        {row(Key::PgMilestonesMet, "cmp-milestones", &|p| {
            let due: Vec<&MilestoneProgress> = p.milestones.iter()
                .filter(|m| matches!(m.state, MilestoneState::Met | MilestoneState::Missed)).collect();
            let met = due.iter().filter(|m| m.state == MilestoneState::Met).count();
            let dots: Vec<(String, &'static str)> = p.milestones.iter().map(|m| (m.name.clone(), m.state.as_str())).collect();
            view! {
                <b>{met}</b>"/"{due.len()}" "
                <span class="ms-dots">
                    {dots.into_iter().map(|(name, s)| view! { <span class=format!("ms-dot ms-{s}") title=name></span> }).collect_view()}
                </span>
            }.into_any()
        })}
        {row(Key::PgCases, "cmp-cases", &|p| { let n = p.findings.cases as i64; view! { <b>{move || format::integer(n, lang.get())}</b> }.into_any() })}
        {row(Key::PgViolations, "cmp-violations", &|p| { let n = p.findings.violations as i64; view! { <b>{move || format::integer(n, lang.get())}</b> }.into_any() })}
        {row(Key::ViolationRate, "cmp-rate", &|p| { let r = p.findings.violation_rate; view! { <b>{move || format::percent(r, lang.get())}</b> }.into_any() })}
        {row(Key::PgAmount, "cmp-amount", &|p| { let a = p.findings.amount_vnd; view! { {move || format::vnd(a, lang.get())} }.into_any() })}
        {row(Key::PgTopCategory, "cmp-category", &|p| {
            let top = p.findings.by_category.first().map(|c| (c.category, c.cases));
            match top {
                Some((cat, n)) => view! { {move || crate::labels::category(cat, lang.get())}" ("{n}")" }.into_any(),
                None => view! { "–" }.into_any(),
            }
        })}
        {row(Key::PgDisciplined, "cmp-disciplined", &|p| {
            let forms: Vec<_> = p.findings.disciplines.iter().map(|d| (d.form, d.cases)).collect();
            let n = p.findings.disciplined as i64;
            view! {
                <b>{move || format::integer(n, lang.get())}</b>
                <span class="cmp-forms">
                    {forms.into_iter().map(|(form, k)| view! {
                        <span class="form-chip">{move || crate::labels::discipline(Some(form), lang.get())}" "{k}</span>
                    }).collect_view()}
                </span>
            }.into_any()
        })}
        {row(Key::PgOwner, "cmp-owner", &|p| view! { {p.owner_name.clone()} }.into_any())}
        {row(Key::PgPeriod, "cmp-period", &|p| view! { {format::date(p.period_from)}" – "{format::date(p.period_to)} }.into_any())}
    };
    view! {
        <section class="card compare-card">
            <div class="table-scroll">
                <table class="compare-table" data-testid="compare-table" style=format!("--cols:{n}")>
                    <thead><tr>
                        <th scope="col">{t(Key::PgMetric)}</th>
                        {ps.iter().map(|p| view! {
                            <th scope="col" data-id=p.id.to_string()>
                                <a href=format!("/programmes/{}", p.id)>
                                    <span class="directive-kind">{p.code.clone()}</span>
                                    <span class="cmp-name">{p.name.clone()}</span>
                                </a>
                            </th>
                        }).collect_view()}
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
