//! The analyst's map: areas coloured by a metric over the filtered cases, drill-down from the
//! provinces to one province's communes with a breadcrumb back, the case points (clustered when
//! dense), and four ways to select, each filtering every other view through the URL: tap an area,
//! pick one from a searchable list, draw a radius, draw a lasso. Drawing works with a finger, a
//! mouse or the keyboard (Enter places at the map's centre, which the arrow keys move).

use super::{Selection, Snapshot};
use crate::api::ApiFailure;
use crate::i18n::{Key, Lang, t, text, use_lang};
use crate::map::{RAMP, breaks};
use domain::api::Me;
use domain::facts::{AreaFigures, Engine, Filter};
use domain::{UnitLevel, format};
use leptos::prelude::*;
use std::collections::HashMap;

/// What colours the areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    #[default]
    Cases,
    Rate,
    Disciplines,
    Amount,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::Cases,
        Metric::Rate,
        Metric::Disciplines,
        Metric::Amount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Cases => "cases",
            Metric::Rate => "rate",
            Metric::Disciplines => "disciplines",
            Metric::Amount => "amount",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }

    fn key(self) -> Key {
        match self {
            Metric::Cases => Key::MetricCases,
            Metric::Rate => Key::MetricRate,
            Metric::Disciplines => Key::MetricDisciplines,
            Metric::Amount => Key::MetricAmount,
        }
    }

    /// The metric of an area: cases, percent of cases with a violation, cases disciplined,
    /// millions of đồng involved.
    pub fn value(self, a: &AreaFigures) -> f64 {
        match self {
            Metric::Cases => a.cases as f64,
            Metric::Rate if a.cases == 0 => 0.0,
            Metric::Rate => a.violating as f64 * 100.0 / a.cases as f64,
            Metric::Disciplines => a.disciplined as f64,
            Metric::Amount => a.amount as f64,
        }
    }

    /// A value as the legend writes it.
    pub fn format(self, v: f64, lang: Lang) -> String {
        match self {
            Metric::Rate => format!("{} %", format::decimal(v, 0, lang)),
            Metric::Amount => format::vnd((v * 1_000_000.0) as i64, lang),
            _ => format::integer(v.round() as i64, lang),
        }
    }
}

/// A spatial selection drawn on the map, rounded as the URL carries it (4 decimals of a degree,
/// about 11 m; radius to 10 m).
#[derive(Debug, Clone, PartialEq)]
pub enum Space {
    Radius {
        lat: f64,
        lon: f64,
        km: f64,
    },
    /// Vertices (lat, lon), not closed.
    Lasso(Vec<(f64, f64)>),
}

/// Most vertices a lasso keeps (a drawn path is thinned to this).
const LASSO_MAX: usize = 200;

fn round(v: f64, places: i32) -> f64 {
    let p = 10f64.powi(places);
    (v * p).round() / p
}

impl Space {
    pub fn radius(lat: f64, lon: f64, km: f64) -> Space {
        Space::Radius {
            lat: round(lat, 4),
            lon: round(lon, 4),
            km: round(km.clamp(0.1, 2000.0), 2),
        }
    }

    /// A lasso through the points, thinned to at most 200 vertices; `None` under 3 distinct ones.
    pub fn lasso(points: &[(f64, f64)]) -> Option<Space> {
        let step = points.len().div_ceil(LASSO_MAX).max(1);
        let mut v: Vec<(f64, f64)> = Vec::new();
        for p in points.iter().step_by(step) {
            let p = (round(p.0, 4), round(p.1, 4));
            if v.last() != Some(&p) {
                v.push(p);
            }
        }
        while v.len() > 1 && v.first() == v.last() {
            v.pop();
        }
        (v.len() >= 3).then_some(Space::Lasso(v))
    }

    /// The URL parameter: `radius=lat,lon,km` or `lasso=lat,lon;lat,lon;...`.
    pub fn to_param(&self) -> String {
        match self {
            Space::Radius { lat, lon, km } => format!("radius={lat},{lon},{km}"),
            Space::Lasso(v) => format!(
                "lasso={}",
                v.iter()
                    .map(|(a, o)| format!("{a},{o}"))
                    .collect::<Vec<_>>()
                    .join(";")
            ),
        }
    }

    /// Reads the URL parameters back; malformed values give `None`.
    pub fn from_params(radius: Option<String>, lasso: Option<String>) -> Option<Space> {
        let nums = |s: &str| -> Option<Vec<f64>> {
            s.split(',')
                .map(|x| x.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
                .collect()
        };
        if let Some(r) = radius {
            let v = nums(&r)?;
            return match v[..] {
                [lat, lon, km] if km > 0.0 => Some(Space::radius(lat, lon, km)),
                _ => None,
            };
        }
        let points: Vec<(f64, f64)> = lasso?
            .split(';')
            .map(|p| match nums(p)?[..] {
                [a, o] => Some((a, o)),
                _ => None,
            })
            .collect::<Option<_>>()?;
        Space::lasso(&points)
    }

    /// The engine's filter for this selection.
    pub fn filter(&self) -> Filter {
        match self {
            Space::Radius { lat, lon, km } => Filter::Radius {
                lat: *lat,
                lon: *lon,
                km: *km,
            },
            Space::Lasso(v) => Filter::Lasso(v.clone()),
        }
    }

    /// The outline to draw, closed, as (lat, lon).
    pub fn ring(&self) -> Vec<(f64, f64)> {
        match self {
            Space::Radius { lat, lon, km } => domain::geometry::circle(*lat, *lon, *km, 72),
            Space::Lasso(v) => {
                let mut r = v.clone();
                r.extend(v.first().copied());
                r
            }
        }
    }
}

/// A drawing tool of the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Pan,
    Radius,
    Lasso,
}

/// A selectable area in the picker.
#[derive(Debug, Clone, PartialEq)]
struct Place {
    code: String,
    name: String,
    /// The province of a commune.
    parent: Option<String>,
    folded: String,
}

/// The places whose name or code matches the search, provinces first, at most `limit`.
fn matches<'a>(places: &'a [Place], search: &str, limit: usize) -> Vec<&'a Place> {
    let q = format::fold(search.trim());
    let mut out: Vec<&Place> = places
        .iter()
        .filter(|p| q.is_empty() || p.folded.contains(&q) || p.code.starts_with(&q))
        .collect();
    out.sort_by_key(|p| (p.parent.is_some(), !p.folded.starts_with(&q)));
    out.truncate(limit);
    out
}

#[component]
pub fn AnalysisMap(
    engine: StoredValue<Option<Engine>, LocalStorage>,
    snap: RwSignal<Option<Snapshot>>,
    selection: RwSignal<Selection>,
    names: RwSignal<HashMap<String, String>>,
    commit: Callback<Selection>,
) -> impl IntoView {
    let lang = use_lang();
    let me = use_context::<LocalResource<Result<Me, ApiFailure>>>();
    // The caller's own province when scoped to one (the map then starts at its communes).
    let root = Memo::new(move |_| {
        let me = me?.get()?.ok()?;
        match me.scope_level {
            UnitLevel::Province => Some(me.scope),
            _ => None,
        }
    });
    // The province whose communes are shown.
    let focus = Memo::new(move |_| selection.with(|s| s.province.clone()).or(root.get()));
    let tool = RwSignal::new(Tool::Pan);
    // The figures of the shown areas, by code, after every filter change.
    let areas = RwSignal::new(HashMap::<String, AreaFigures>::new());
    Effect::new(move |_| {
        snap.track();
        let communes = focus.get().is_some();
        engine.with_value(|e| {
            let Some(e) = e else { return };
            let codes = if communes {
                &e.facts().communes
            } else {
                &e.facts().provinces
            };
            let figures = e.area_figures(communes);
            areas.set(codes.iter().cloned().zip(figures).collect());
        });
    });
    let metric = Memo::new(move |_| selection.with(|s| s.metric));
    let hover = RwSignal::new(None::<(String, f64, f64)>);
    let places = RwSignal::new(Vec::<Place>::new());
    let drag = RwSignal::new(None::<Space>);
    let lasso_keys = RwSignal::new(Vec::<(f64, f64)>::new());

    let name_of = move |code: &str| {
        names
            .with(|n| n.get(code).cloned())
            .unwrap_or(code.to_string())
    };
    let set = move |f: &dyn Fn(&mut Selection)| {
        let mut s = selection.get_untracked();
        f(&mut s);
        commit.run(s);
    };

    let container = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    let ctx = client::Ctx::new(client::Shared {
        container,
        engine,
        snap,
        selection,
        names,
        commit,
        focus,
        tool,
        areas,
        hover,
        places,
        drag,
        lasso_keys,
    });

    let pointer_down = move |e: leptos::ev::PointerEvent| {
        #[cfg(feature = "hydrate")]
        ctx.pointer_down(&e);
        #[cfg(not(feature = "hydrate"))]
        let _ = e;
    };
    let pointer_move = move |e: leptos::ev::PointerEvent| {
        #[cfg(feature = "hydrate")]
        ctx.pointer_move(&e);
        #[cfg(not(feature = "hydrate"))]
        let _ = e;
    };
    let pointer_up = move |e: leptos::ev::PointerEvent| {
        #[cfg(feature = "hydrate")]
        ctx.pointer_up(&e);
        #[cfg(not(feature = "hydrate"))]
        let _ = e;
    };
    let place_at_centre = move || {
        #[cfg(feature = "hydrate")]
        ctx.place_at_centre();
    };
    // Enter places a radius or a lasso vertex at the centre; Backspace takes a vertex back;
    // Escape leaves the tool.
    let key_down =
        move |e: leptos::ev::KeyboardEvent| match (tool.get_untracked(), e.key().as_str()) {
            (Tool::Pan, _) => {}
            (_, "Escape") => {
                tool.set(Tool::Pan);
                lasso_keys.set(Vec::new());
            }
            (Tool::Radius, "Enter") => {
                e.prevent_default();
                place_at_centre();
            }
            (Tool::Lasso, "Enter") => {
                e.prevent_default();
                place_at_centre();
            }
            (Tool::Lasso, "Backspace") => {
                e.prevent_default();
                lasso_keys.update(|v| {
                    v.pop();
                });
            }
            _ => {}
        };
    let finish_lasso = move || {
        if let Some(space) = Space::lasso(&lasso_keys.get_untracked()) {
            set(&|s| s.space = Some(space.clone()));
        }
        lasso_keys.set(Vec::new());
        tool.set(Tool::Pan);
    };
    let choose_tool = move |t: Tool| {
        lasso_keys.set(Vec::new());
        tool.set(if tool.get_untracked() == t {
            Tool::Pan
        } else {
            t
        });
    };

    view! {
        <section class="card amap-card" data-testid="analysis-map">
            <div class="map-toolbar">
                <nav class="breadcrumb" aria-label=t(Key::MapLevels) data-testid="breadcrumb">
                    {move || {
                        let s = selection.get();
                        let l = lang.get();
                        let at_root = root.get();
                        let mut crumbs = Vec::new();
                        if at_root.is_none() {
                            let here = s.province.is_none();
                            crumbs.push(view! {
                                <button type="button" class="crumb" disabled=here
                                    on:click=move |_| set(&|s| { s.province = None; s.commune = None; })>
                                    {text(l, Key::WholeCountry)}
                                </button>
                            }.into_any());
                        }
                        if let Some(p) = focus.get() {
                            let here = s.commune.is_none();
                            crumbs.push(view! {
                                <button type="button" class="crumb" disabled=here
                                    on:click=move |_| set(&|s| s.commune = None)>{name_of(&p)}</button>
                            }.into_any());
                        }
                        if let Some(c) = s.commune.clone() {
                            crumbs.push(view! { <span class="crumb" aria-current="true">{name_of(&c)}</span> }.into_any());
                        }
                        crumbs.into_iter().enumerate().map(|(i, c)| view! {
                            {(i > 0).then_some(view! { <span class="crumb-sep" aria-hidden="true">"›"</span> })}
                            {c}
                        }).collect_view()
                    }}
                </nav>
                <Picker places=places names=names selection=selection commit=commit focus=focus/>
            </div>
            <div class="map-tools" role="toolbar" aria-label=t(Key::MapTools)>
                <button type="button" class="tool" data-testid="tool-radius"
                    aria-pressed=move || (tool.get() == Tool::Radius).to_string()
                    on:click=move |_| choose_tool(Tool::Radius)>{t(Key::ToolRadius)}</button>
                <button type="button" class="tool" data-testid="tool-lasso"
                    aria-pressed=move || (tool.get() == Tool::Lasso).to_string()
                    on:click=move |_| choose_tool(Tool::Lasso)>{t(Key::ToolLasso)}</button>
                {move || (tool.get() != Tool::Pan).then(|| view! {
                    <button type="button" class="tool" on:click=move |_| place_at_centre()>
                        {move || text(lang.get(), if tool.get() == Tool::Lasso { Key::AddVertex } else { Key::PlaceAtCentre })}
                    </button>
                })}
                {move || (tool.get() == Tool::Lasso).then(|| view! {
                    <button type="button" class="tool" disabled=move || lasso_keys.with(|v| v.len() < 3)
                        on:click=move |_| finish_lasso()>{t(Key::CloseLasso)}</button>
                })}
                {move || selection.with(|s| matches!(s.space, Some(Space::Radius { .. }))).then(|| view! {
                    <label class="km">
                        {t(Key::RadiusKm)}
                        <input type="number" min="0.1" max="2000" step="1" data-testid="radius-km"
                            prop:value=move || selection.with(|s| match &s.space { Some(Space::Radius { km, .. }) => km.to_string(), _ => String::new() })
                            on:change=move |e| {
                                let v: f64 = event_target_value(&e).parse().unwrap_or(0.0);
                                if v > 0.0 {
                                    set(&|s| if let Some(Space::Radius { lat, lon, .. }) = s.space { s.space = Some(Space::radius(lat, lon, v)); });
                                }
                            }/>
                        " km"
                    </label>
                })}
                {move || selection.with(|s| s.space.is_some()).then(|| view! {
                    <button type="button" class="tool" data-testid="clear-space"
                        on:click=move |_| set(&|s| s.space = None)>{t(Key::ClearDrawing)}</button>
                })}
                <span class="tools-gap"></span>
                <div class="segmented" role="group" aria-label=t(Key::MapMetric) data-testid="metric">
                    {Metric::ALL.into_iter().map(|m| view! {
                        <button type="button" aria-pressed=move || (metric.get() == m).to_string()
                            data-metric=m.as_str()
                            on:click=move |_| set(&|s| s.metric = m)>{move || text(lang.get(), m.key())}</button>
                    }).collect_view()}
                </div>
            </div>
            <div class="map-wrap analysis-map"
                class:drawing=move || tool.get() != Tool::Pan
                on:pointerdown=pointer_down on:pointermove=pointer_move on:pointerup=pointer_up
                on:keydown=key_down>
                <div class="map" node_ref=container data-testid="map" data-map-ready="false" role="application"
                    aria-label=t(Key::MapTitle)
                    data-level=move || if focus.get().is_some() { "commune" } else { "province" }
                    data-focus=move || focus.get().unwrap_or_default()></div>
                {move || (tool.get() != Tool::Pan).then(|| view! { <div class="crosshair" aria-hidden="true"></div> })}
                {move || drag.get().and_then(|d| match d {
                    Space::Radius { km, .. } => Some(view! {
                        <div class="map-badge" data-testid="drawing-km">{format!("{} km", format::decimal(km, 1, lang.get()))}</div>
                    }),
                    Space::Lasso(_) => None,
                })}
                {move || hover.get().map(|(code, x, y)| {
                    let l = lang.get();
                    let a = areas.with(|a| a.get(&code).copied()).unwrap_or_default();
                    let style = format!("left:{x:.0}px;top:{y:.0}px");
                    view! {
                        <div class="map-tooltip" style=style data-testid="map-tooltip">
                            <strong>{name_of(&code)}</strong>
                            <Figures a=a lang=l/>
                        </div>
                    }
                })}
                <p class="map-attribution">{t(Key::MapAttribution)}</p>
            </div>
            <div class="map-foot">
                <Legend areas=areas metric=metric/>
                <p class="hint map-hint" aria-live="polite">
                    {move || match tool.get() {
                        Tool::Pan => text(lang.get(), Key::AnalysisMapHint),
                        Tool::Radius => text(lang.get(), Key::RadiusHint),
                        Tool::Lasso => text(lang.get(), Key::LassoHint),
                    }}
                </p>

                {move || {
                    let s = selection.get();
                    let code = s.commune.clone().or(if focus.get().is_none() { s.province.clone() } else { None })?;
                    let a = areas.with(|a| a.get(&code).copied()).unwrap_or_default();
                    Some(view! {
                        <div class="map-focus" data-testid="map-focus">
                            <strong>{name_of(&code)}</strong>
                            <Figures a=a lang=lang.get()/>
                        </div>
                    })
                }}
            </div>
        </section>
    }
}

/// One area's four figures.
#[component]
fn Figures(a: AreaFigures, lang: Lang) -> impl IntoView {
    view! {
        <dl class="figures">
            {Metric::ALL.into_iter().map(|m| view! {
                <div><dt>{text(lang, m.key())}</dt><dd>{m.format(m.value(&a), lang)}</dd></div>
            }).collect_view()}
        </dl>
    }
}

/// The colour ramp with the metric's values at its stops.
#[component]
fn Legend(areas: RwSignal<HashMap<String, AreaFigures>>, metric: Memo<Metric>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="legend" data-testid="legend">
            <span class="legend-title">{move || text(lang.get(), metric.get().key())}</span>
            {move || {
                let m = metric.get();
                let max = areas.with(|a| a.values().map(|f| m.value(f)).fold(0.0, f64::max));
                let b = breaks(max);
                let l = lang.get();
                RAMP.iter().zip(b).map(|(c, v)| view! {
                    <span class="legend-stop"><i style=format!("background:{c}")></i>{m.format(v, l)}</span>
                }).collect_view()
            }}
        </div>
    }
}

/// A searchable list of the provinces and communes: type part of a name (accents optional),
/// arrows to move, Enter to pick.
#[component]
fn Picker(
    places: RwSignal<Vec<Place>>,
    names: RwSignal<HashMap<String, String>>,
    selection: RwSignal<Selection>,
    commit: Callback<Selection>,
    focus: Memo<Option<String>>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(0usize);
    let shown = Memo::new(move |_| {
        let q = search.get();
        places.with(|p| matches(p, &q, 12).into_iter().cloned().collect::<Vec<_>>())
    });
    let pick = move |p: Place| {
        let mut s = selection.get_untracked();
        match p.parent {
            Some(parent) => {
                s.province = Some(parent);
                s.commune = Some(p.code);
            }
            None => {
                s.province = Some(p.code);
                s.commune = None;
            }
        }
        commit.run(s);
        search.set(String::new());
        open.set(false);
    };
    let _ = (names, focus);
    view! {
        <div class="picker" data-testid="picker">
            <input type="search" role="combobox" aria-autocomplete="list" aria-controls="picker-list"
                aria-expanded=move || open.get().to_string()
                placeholder=t(Key::FindArea) aria-label=t(Key::FindArea)
                prop:value=move || search.get()
                on:focus=move |_| open.set(true)
                on:blur=move |_| open.set(false)
                on:input=move |e| { search.set(event_target_value(&e)); active.set(0); open.set(true); }
                on:keydown=move |e| {
                    let n = shown.with(|s| s.len());
                    match e.key().as_str() {
                        "ArrowDown" if n > 0 => { e.prevent_default(); active.set((active.get_untracked() + 1) % n); }
                        "ArrowUp" if n > 0 => { e.prevent_default(); active.set((active.get_untracked() + n - 1) % n); }
                        "Enter" => {
                            e.prevent_default();
                            if let Some(p) = shown.with(|s| s.get(active.get_untracked()).cloned()) { pick(p); }
                        }
                        "Escape" => open.set(false),
                        _ => {}
                    }
                }/>
            <ul id="picker-list" role="listbox" class="picker-list" hidden=move || !open.get() || shown.with(|s| s.is_empty())>
                {move || shown.get().into_iter().enumerate().map(|(i, p)| {
                    let on = move || active.get() == i;
                    let label = p.name.clone();
                    let parent = p.parent.clone().and_then(|c| names.with(|n| n.get(&c).cloned()));
                    let code = p.code.clone();
                    view! {
                        <li role="option" aria-selected=move || on().to_string() class:active=on data-code=code
                            on:mousedown=move |e| { e.prevent_default(); pick(p.clone()); }>
                            <span>{label}</span>
                            {parent.map(|n| view! { <small>{n}</small> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_radius_round_trips_through_its_parameter() {
        let s = Space::radius(21.028_512, 105.854_167, 24.996);
        assert_eq!(
            s,
            Space::Radius {
                lat: 21.0285,
                lon: 105.8542,
                km: 25.0
            }
        );
        assert_eq!(s.to_param(), "radius=21.0285,105.8542,25");
        assert_eq!(
            Space::from_params(Some("21.0285,105.8542,25".into()), None),
            Some(s)
        );
        assert_eq!(Space::from_params(Some("21,105".into()), None), None);
        assert_eq!(Space::from_params(Some("21,105,-3".into()), None), None);
        assert_eq!(Space::from_params(Some("a,b,c".into()), None), None);
    }

    #[test]
    fn a_lasso_is_thinned_and_needs_three_vertices() {
        let path: Vec<(f64, f64)> = (0..1000)
            .map(|i| {
                let a = i as f64 / 1000.0 * std::f64::consts::TAU;
                (16.0 + a.sin(), 107.0 + a.cos())
            })
            .collect();
        let Some(Space::Lasso(v)) = Space::lasso(&path) else {
            panic!("a lasso")
        };
        assert!(v.len() <= LASSO_MAX && v.len() >= 150, "{}", v.len());
        let param = Space::Lasso(v.clone()).to_param();
        assert_eq!(
            Space::from_params(None, Some(param["lasso=".len()..].to_string())),
            Some(Space::Lasso(v))
        );
        assert_eq!(Space::lasso(&[(1.0, 1.0), (1.0, 1.0), (2.0, 2.0)]), None);
        assert_eq!(Space::from_params(None, Some("1,1;2,2;x".into())), None);
    }

    #[test]
    fn the_ring_of_a_lasso_is_closed() {
        let s = Space::lasso(&[(1.0, 1.0), (1.0, 2.0), (2.0, 2.0)]).unwrap();
        assert_eq!(s.ring().first(), s.ring().last());
        assert_eq!(s.ring().len(), 4);
    }

    #[test]
    fn the_metrics_of_an_area() {
        let a = AreaFigures {
            cases: 8,
            violating: 2,
            disciplined: 3,
            amount: 1500,
        };
        assert_eq!(Metric::Rate.value(&a), 25.0);
        assert_eq!(Metric::Rate.value(&AreaFigures::default()), 0.0);
        assert_eq!(Metric::Disciplines.value(&a), 3.0);
        assert_eq!(Metric::Rate.format(25.0, Lang::Vi), "25 %");
        assert_eq!(Metric::parse("amount"), Some(Metric::Amount));
        assert_eq!(Metric::parse("x"), None);
    }

    #[test]
    fn the_picker_finds_names_without_accents() {
        let place = |code: &str, name: &str, parent: Option<&str>| Place {
            code: code.into(),
            name: name.into(),
            parent: parent.map(Into::into),
            folded: format::fold(name),
        };
        let places = vec![
            place("01", "Thành phố Hà Nội", None),
            place("00004", "Phường Ba Đình", Some("01")),
            place("79", "Thành phố Hồ Chí Minh", None),
            place("26734", "Phường Hà Nội mới", Some("79")),
        ];
        let found: Vec<&str> = matches(&places, "ha noi", 10)
            .iter()
            .map(|p| p.code.as_str())
            .collect();
        assert_eq!(found, vec!["01", "26734"]);
        assert_eq!(matches(&places, "ba dinh", 10)[0].code, "00004");
        assert_eq!(matches(&places, "", 2).len(), 2);
        assert_eq!(matches(&places, "79", 10)[0].code, "79");
    }
}

#[cfg(feature = "hydrate")]
mod client;
