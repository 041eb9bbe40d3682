//! The browser side of the analyst's map: MapLibre sources and layers, recolouring by
//! feature-state, drill-down loads, points, and the drawing gestures.

use super::{Place, Selection, Snapshot, Space, Tool};
use crate::map::bridge::{Map, get_str, js};
use crate::map::{RAMP, bounds, breaks};
use domain::facts::{AreaFigures, Engine, lat_of, lon_of};
use domain::format;
use domain::geometry::haversine_km;
use leptos::prelude::*;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

const PROVINCES: &str = "provinces";
const COMMUNES: &str = "communes";
const DRAW: &str = "draw";
const CASES: &str = "cases";
/// The colour of areas shown only for context (the provinces around a drilled-in one).
const CONTEXT: &str = "#f5f7fa";
/// Most case points drawn (beyond, the choropleth alone tells the story).
const MAX_POINTS: usize = 50_000;

/// The page's signals the map reads and writes.
#[derive(Clone, Copy)]
pub struct Shared {
    pub container: NodeRef<leptos::html::Div>,
    pub engine: StoredValue<Option<Engine>, LocalStorage>,
    pub snap: RwSignal<Option<Snapshot>>,
    pub selection: RwSignal<Selection>,
    pub names: RwSignal<HashMap<String, String>>,
    pub commit: Callback<Selection>,
    pub focus: Memo<Option<String>>,
    pub tool: RwSignal<Tool>,
    pub areas: RwSignal<HashMap<String, AreaFigures>>,
    pub hover: RwSignal<Option<(String, f64, f64)>>,
    pub places: RwSignal<Vec<Place>>,
    pub drag: RwSignal<Option<Space>>,
    pub lasso_keys: RwSignal<Vec<(f64, f64)>>,
}

/// A gesture in progress: the drawn path (lat, lon) and the last pointer position.
#[derive(Debug, Clone, Default)]
struct Gesture {
    path: Vec<(f64, f64)>,
    last: (f64, f64),
}

#[derive(Clone, Copy)]
pub struct Ctx {
    s: Shared,
    map: StoredValue<Option<Map>, LocalStorage>,
    loaded: RwSignal<bool>,
    /// The commune codes in the communes source (the drilled-in province's).
    shown_communes: RwSignal<HashSet<String>>,
    provinces_bounds: StoredValue<Option<[f64; 4]>>,
    gesture: StoredValue<Option<Gesture>>,
    /// When the last drawing ended (ms), so the click that ends a gesture selects nothing.
    drawn_at: StoredValue<f64>,
    lang: RwSignal<crate::i18n::Lang>,
}

impl Ctx {
    pub fn new(s: Shared) -> Ctx {
        let ctx = Ctx {
            s,
            map: StoredValue::new_local(None),
            loaded: RwSignal::new(false),
            shown_communes: RwSignal::new(HashSet::new()),
            provinces_bounds: StoredValue::new(None),
            gesture: StoredValue::new(None),
            drawn_at: StoredValue::new(0.0),
            lang: crate::i18n::use_lang(),
        };
        Effect::new(move |_| ctx.mount());
        Effect::new(move |_| ctx.drill());
        Effect::new(move |_| ctx.recolour());
        Effect::new(move |_| ctx.outline());
        Effect::new(move |_| ctx.draw());
        Effect::new(move |_| ctx.points());
        Effect::new(move |_| {
            let drawing = s.tool.get() != Tool::Pan;
            ctx.map.with_value(|m| {
                if let Some(m) = m {
                    if drawing {
                        m.drag_pan().disable();
                    } else {
                        m.drag_pan().enable();
                    }
                }
            });
        });
        on_cleanup(move || {
            ctx.map.update_value(|m| {
                if let Some(m) = m.take() {
                    m.remove();
                }
            });
        });
        ctx
    }

    fn mount(self) {
        let Some(el) = self.s.container.get() else {
            return;
        };
        if self.map.with_value(|m| m.is_some()) {
            return;
        }
        let m = crate::map::client::country_map(&el);
        on(&m, "load", move |_| self.load());
        on(&m, "mousemove", move |e| self.hovered(&e));
        on(&m, "mouseout", move |_| self.s.hover.set(None));
        on(&m, "click", move |e| self.clicked(&e));
        on(&m, "idle", move |_| self.idle());
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::set(&w, &"oversightMap".into(), &m);
        }
        self.map.set_value(Some(m));
    }

    /// Sources and layers, then the provinces' boundaries and the places' names.
    fn load(self) {
        self.map.with_value(|m| {
            let Some(m) = m else { return };
            let empty = json!({"type": "FeatureCollection", "features": []});
            for id in [PROVINCES, COMMUNES] {
                m.add_source(id, &js(json!({"type": "geojson", "promoteId": "code", "data": empty})));
            }
            m.add_source(DRAW, &js(json!({"type": "geojson", "data": empty})));
            m.add_source(
                CASES,
                &js(json!({"type": "geojson", "data": empty, "cluster": true,
                           "clusterRadius": 36, "clusterMaxZoom": 11})),
            );
            for (id, source, line, width) in [
                ("province-fill", PROVINCES, "#ffffff", 1.0),
                ("commune-fill", COMMUNES, "#ffffff", 0.5),
            ] {
                m.add_layer(&js(json!({"id": id, "type": "fill", "source": source,
                    "paint": {"fill-color": RAMP[0], "fill-opacity": 0.92}})));
                m.add_layer(&js(json!({"id": format!("{source}-line"), "type": "line", "source": source,
                    "paint": {"line-color": line, "line-width": width}})));
            }
            for (id, source, width) in [
                ("province-selected", PROVINCES, 3.0),
                ("commune-selected", COMMUNES, 3.0),
            ] {
                m.add_layer(&js(json!({"id": id, "type": "line", "source": source,
                    "filter": ["==", ["get", "code"], ""],
                    "paint": {"line-color": "#0b2545", "line-width": width}})));
            }
            m.add_layer(&js(json!({"id": "draw-fill", "type": "fill", "source": DRAW,
                "filter": ["==", ["geometry-type"], "Polygon"],
                "paint": {"fill-color": "#1d6fd1", "fill-opacity": 0.12}})));
            m.add_layer(&js(json!({"id": "draw-line", "type": "line", "source": DRAW,
                "paint": {"line-color": "#1d6fd1", "line-width": 2.5, "line-dasharray": [2, 1]}})));
            m.add_layer(&js(json!({"id": "draw-vertex", "type": "circle", "source": DRAW,
                "filter": ["==", ["geometry-type"], "Point"],
                "paint": {"circle-radius": 5, "circle-color": "#1d6fd1",
                          "circle-stroke-color": "#ffffff", "circle-stroke-width": 2}})));
            m.add_layer(&js(json!({"id": "clusters", "type": "circle", "source": CASES,
                "filter": ["has", "point_count"],
                "paint": {
                    "circle-color": "rgba(11, 37, 69, 0.55)",
                    "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5,
                    "circle-radius": ["step", ["get", "point_count"], 7, 10, 10, 100, 14, 1000, 19, 10000, 25]
                }})));
            m.add_layer(&js(json!({"id": "case-points", "type": "circle", "source": CASES,
                "filter": ["!", ["has", "point_count"]],
                "paint": {"circle-color": "#0b2545", "circle-radius": 3.5,
                          "circle-stroke-color": "#ffffff", "circle-stroke-width": 1}})));
        });
        // The archipelagos are named on every map of the country.
        self.map.with_value(|m| {
            if let Some(m) = m {
                crate::map::client::archipelago_labels(m, self.lang);
            }
        });
        leptos::task::spawn_local(async move {
            let Ok(text) = crate::api::get_text("/api/v1/boundaries?level=province&lod=1").await
            else {
                return;
            };
            let fc: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            self.provinces_bounds.set_value(bounds(&fc));
            let provinces = features(&fc);
            self.s.names.update(|n| {
                for (code, name) in &provinces {
                    n.insert(code.clone(), name.clone());
                }
            });
            self.s.places.update(|p| {
                p.extend(provinces.iter().map(|(code, name)| Place {
                    code: code.clone(),
                    name: name.clone(),
                    parent: None,
                    folded: format::fold(name),
                }))
            });
            self.set_data(PROVINCES, &text);
            self.loaded.set(true);
            // Every commune's name, for the picker (the caller's scope only).
            if let Ok(units) =
                crate::api::get::<Vec<domain::api::Unit>>("/api/v1/units?level=commune").await
            {
                self.s.names.update(|n| {
                    for u in &units {
                        n.insert(u.code.clone(), u.name.clone());
                    }
                });
                self.s.places.update(|p| {
                    p.extend(units.into_iter().map(|u| Place {
                        folded: format::fold(&u.name),
                        code: u.code,
                        name: u.name,
                        parent: u.parent,
                    }))
                });
            }
        });
    }

    fn set_data(self, source: &str, json_text: &str) {
        self.map.with_value(|m| {
            if let Some(src) = m.as_ref().and_then(|m| m.get_source(source)) {
                src.set_data(&js_sys::JSON::parse(json_text).unwrap_or(JsValue::NULL));
            }
        });
    }

    /// Shows the drilled-in province's communes (or the provinces again) and frames them.
    fn drill(self) {
        let focus = self.s.focus.get();
        if !self.loaded.get() {
            return;
        }
        self.map.with_value(|m| {
            if let Some(m) = m {
                m.set_layout_property(
                    "commune-fill",
                    "visibility",
                    &JsValue::from_str(if focus.is_some() { "visible" } else { "none" }),
                );
            }
        });
        let Some(code) = focus else {
            self.shown_communes.set(HashSet::new());
            self.set_data(COMMUNES, r#"{"type":"FeatureCollection","features":[]}"#);
            if let Some([w, s, e, n]) = self.provinces_bounds.get_value() {
                self.fit([w, s, e, n]);
            }
            return;
        };
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/boundaries?level=commune&lod=1&within={code}");
            let Ok(text) = crate::api::get_text(&url).await else {
                return;
            };
            // A later drill-down won the race.
            if self.s.focus.get_untracked().as_deref() != Some(code.as_str()) {
                return;
            }
            let fc: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let communes = features(&fc);
            self.s.names.update(|n| {
                for (c, name) in &communes {
                    n.insert(c.clone(), name.clone());
                }
            });
            self.set_data(COMMUNES, &text);
            self.shown_communes
                .set(communes.into_iter().map(|(c, _)| c).collect());
            if let Some(b) = bounds(&fc) {
                self.fit(b);
            }
        });
    }

    fn fit(self, [w, s, e, n]: [f64; 4]) {
        self.map.with_value(|m| {
            if let Some(m) = m {
                m.fit_bounds(
                    &js(json!([[w, s], [e, n]])),
                    &js(json!({"padding": 24, "duration": 600})),
                );
            }
        });
    }

    /// Colours the shown areas by the metric (feature-state: no geometry re-upload).
    fn recolour(self) {
        let metric = self.s.selection.with(|s| s.metric);
        let focused = self.s.focus.get().is_some();
        let shown = self.shown_communes.get();
        if !self.loaded.get() {
            return;
        }
        self.s.areas.with(|areas| {
            self.map.with_value(|m| {
                let Some(m) = m else { return };
                let max = areas.values().map(|a| metric.value(a)).fold(0.0, f64::max);
                let mut expr = vec![
                    json!("interpolate"),
                    json!(["linear"]),
                    json!(["coalesce", ["feature-state", "value"], 0]),
                ];
                for (stop, colour) in breaks(max).iter().zip(RAMP) {
                    expr.push(json!(stop));
                    expr.push(json!(colour));
                }
                let ramp = js(serde_json::Value::Array(expr));
                let (layer, source) = if focused {
                    m.set_paint_property(
                        "province-fill",
                        "fill-color",
                        &JsValue::from_str(CONTEXT),
                    );
                    ("commune-fill", COMMUNES)
                } else {
                    ("province-fill", PROVINCES)
                };
                m.set_paint_property(layer, "fill-color", &ramp);
                for (code, a) in areas {
                    if focused && !shown.contains(code) {
                        continue;
                    }
                    m.set_feature_state(
                        &js(json!({"source": source, "id": code})),
                        &js(json!({"value": metric.value(a)})),
                    );
                }
            });
        });
    }

    /// Outlines the selected province and commune.
    fn outline(self) {
        let (province, commune) = self
            .s
            .selection
            .with(|s| (s.province.clone(), s.commune.clone()));
        if !self.loaded.get() {
            return;
        }
        self.map.with_value(|m| {
            let Some(m) = m else { return };
            for (layer, code) in [
                ("province-selected", province),
                ("commune-selected", commune),
            ] {
                m.set_filter(
                    layer,
                    &js(json!(["==", ["get", "code"], code.unwrap_or_default()])),
                );
            }
        });
    }

    /// The radius or lasso being drawn, or the one selected.
    fn draw(self) {
        let drawing = self.s.drag.get();
        let selected = self.s.selection.with(|s| s.space.clone());
        let keys = self.s.lasso_keys.get();
        if !self.loaded.get() {
            return;
        }
        let mut features = Vec::new();
        if !keys.is_empty() {
            let line: Vec<[f64; 2]> = keys.iter().map(|(a, o)| [*o, *a]).collect();
            for p in &line {
                features.push(json!({"type": "Feature", "properties": {},
                    "geometry": {"type": "Point", "coordinates": p}}));
            }
            if line.len() > 1 {
                features.push(json!({"type": "Feature", "properties": {},
                    "geometry": {"type": "LineString", "coordinates": line}}));
            }
        } else if let Some(space) = drawing.or(selected) {
            let ring: Vec<[f64; 2]> = match &space {
                Space::Lasso(v) if self.s.drag.with_untracked(|d| d.is_some()) => {
                    // Still drawing: an open path.
                    let line: Vec<[f64; 2]> = v.iter().map(|(a, o)| [*o, *a]).collect();
                    features.push(json!({"type": "Feature", "properties": {},
                        "geometry": {"type": "LineString", "coordinates": line}}));
                    Vec::new()
                }
                s => s.ring().iter().map(|(a, o)| [*o, *a]).collect(),
            };
            if ring.len() >= 4 {
                features.push(json!({"type": "Feature", "properties": {},
                    "geometry": {"type": "Polygon", "coordinates": [ring]}}));
            }
        }
        let fc = json!({"type": "FeatureCollection", "features": features});
        self.set_data(DRAW, &fc.to_string());
    }

    /// The selected cases as points, when the view is narrowed to a province or a drawn area.
    fn points(self) {
        self.s.snap.track();
        let narrowed = self.s.focus.get().is_some() || self.s.selection.with(|s| s.space.is_some());
        if !self.loaded.get() {
            return;
        }
        let mut out = String::from(r#"{"type":"FeatureCollection","features":["#);
        let mut n = 0usize;
        if narrowed {
            self.s.engine.with_value(|e| {
                let Some(e) = e else { return };
                let f = e.facts();
                for r in e.selected_rows().take(MAX_POINTS) {
                    if n > 0 {
                        out.push(',');
                    }
                    out.push_str(&format!(
                        r#"{{"type":"Feature","properties":{{"id":{}}},"geometry":{{"type":"Point","coordinates":[{:.5},{:.5}]}}}}"#,
                        f.id(r),
                        lon_of(f.lon(r)),
                        lat_of(f.lat(r))
                    ));
                    n += 1;
                }
            });
        }
        out.push_str("]}");
        self.set_data(CASES, &out);
        if let Some(el) = self.s.container.get_untracked() {
            let _ = el.set_attribute("data-points", &n.to_string());
        }
    }

    fn idle(self) {
        let Some(el) = self.s.container.get_untracked() else {
            return;
        };
        if !self.loaded.get_untracked() {
            return;
        }
        let layer = if self.s.focus.get_untracked().is_some() {
            "commune-fill"
        } else {
            "province-fill"
        };
        let count = self.map.with_value(|m| {
            m.as_ref().map_or(0, |m| {
                let mut codes: Vec<String> = m
                    .query_rendered_features(&JsValue::UNDEFINED, &js(json!({"layers": [layer]})))
                    .iter()
                    .filter_map(|f| get_str(&f, &["properties", "code"]))
                    .collect();
                codes.sort();
                codes.dedup();
                codes.len()
            })
        });
        let _ = el.set_attribute("data-rendered-areas", &count.to_string());
        let _ = el.set_attribute("data-map-ready", "true");
    }

    /// The area under the pointer (the shown level's).
    fn area_at(self, e: &JsValue) -> Option<(String, bool)> {
        let point = js_sys::Reflect::get(e, &"point".into()).ok()?;
        let focused = self.s.focus.get_untracked().is_some();
        self.map.with_value(|m| {
            let m = m.as_ref()?;
            let layers: &[&str] = if focused {
                &["commune-fill", "province-fill"]
            } else {
                &["province-fill"]
            };
            let found = m.query_rendered_features(&point, &js(json!({"layers": layers})));
            let first = found.get(0);
            let code = get_str(&first, &["properties", "code"])?;
            let layer = get_str(&first, &["layer", "id"]).unwrap_or_default();
            Some((code, layer == "commune-fill"))
        })
    }

    fn hovered(self, e: &JsValue) {
        if self.gesture.with_value(|g| g.is_some()) {
            return;
        }
        let xy = |k: &str| {
            js_sys::Reflect::get(e, &"point".into())
                .and_then(|p| js_sys::Reflect::get(&p, &k.into()))
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0)
        };
        let focused = self.s.focus.get_untracked().is_some();
        let hit = self
            .area_at(e)
            .filter(|(_, commune)| *commune == focused)
            .map(|(code, _)| (code, xy("x"), xy("y")));
        if hit != self.s.hover.get_untracked() {
            self.s.hover.set(hit);
        }
        self.map.with_value(|m| {
            if let Some(m) = m {
                let pointer = if self.s.tool.get_untracked() != Tool::Pan {
                    "crosshair"
                } else if self.s.hover.with_untracked(|h| h.is_some()) {
                    "pointer"
                } else {
                    ""
                };
                let _ = m.get_canvas().style().set_property("cursor", pointer);
            }
        });
    }

    /// A tap selects: a province (drilling into it), or a commune of the drilled-in province
    /// (tapped again, it is let go).
    fn clicked(self, e: &JsValue) {
        if self.s.tool.get_untracked() != Tool::Pan
            || js_sys::Date::now() - self.drawn_at.get_value() < 400.0
        {
            return;
        }
        let Some((code, is_commune)) = self.area_at(e) else {
            return;
        };
        let mut s = self.s.selection.get_untracked();
        if is_commune {
            s.commune = if s.commune.as_deref() == Some(code.as_str()) {
                None
            } else {
                Some(code)
            };
            if s.province.is_none() {
                s.province = self.s.focus.get_untracked();
            }
        } else if self.s.focus.get_untracked().as_deref() != Some(code.as_str()) {
            s.province = Some(code);
            s.commune = None;
        } else {
            return;
        }
        self.s.commit.run(s);
    }

    /// The place under a pointer event.
    fn lat_lon(self, e: &web_sys::PointerEvent) -> Option<(f64, f64)> {
        let el = self.s.container.get_untracked()?;
        let r = el.get_bounding_client_rect();
        let x = e.client_x() as f64 - r.left();
        let y = e.client_y() as f64 - r.top();
        self.map.with_value(|m| {
            let p = m.as_ref()?.unproject(&js(json!([x, y])));
            Some((p.lat(), p.lng()))
        })
    }

    pub fn pointer_down(self, e: &web_sys::PointerEvent) {
        let tool = self.s.tool.get_untracked();
        if tool == Tool::Pan || !e.is_primary() || e.button() != 0 {
            return;
        }
        let Some(at) = self.lat_lon(e) else { return };
        e.prevent_default();
        if let Some(t) = e
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = t.set_pointer_capture(e.pointer_id());
        }
        self.gesture.set_value(Some(Gesture {
            path: vec![at],
            last: (e.client_x() as f64, e.client_y() as f64),
        }));
        self.s.lasso_keys.set(Vec::new());
        self.s.hover.set(None);
        self.s.drag.set(Some(match tool {
            Tool::Radius => Space::Radius {
                lat: at.0,
                lon: at.1,
                km: 0.0,
            },
            _ => Space::Lasso(vec![at]),
        }));
    }

    pub fn pointer_move(self, e: &web_sys::PointerEvent) {
        if self.gesture.with_value(|g| g.is_none()) {
            return;
        }
        let Some(at) = self.lat_lon(e) else { return };
        let xy = (e.client_x() as f64, e.client_y() as f64);
        let mut next = None;
        self.gesture.update_value(|g| {
            let Some(g) = g else { return };
            let moved = (xy.0 - g.last.0).hypot(xy.1 - g.last.1);
            match self.s.tool.get_untracked() {
                Tool::Radius => {
                    let (lat, lon) = g.path[0];
                    next = Some(Space::Radius {
                        lat,
                        lon,
                        km: haversine_km(lat, lon, at.0, at.1),
                    });
                }
                _ if moved >= 3.0 => {
                    g.path.push(at);
                    g.last = xy;
                    next = Some(Space::Lasso(g.path.clone()));
                }
                _ => {}
            }
        });
        if next.is_some() {
            self.s.drag.set(next);
        }
    }

    pub fn pointer_up(self, _e: &web_sys::PointerEvent) {
        let Some(_) = self.gesture.with_value(|g| g.clone()) else {
            return;
        };
        self.gesture.set_value(None);
        let drawn = self.s.drag.get_untracked();
        self.s.drag.set(None);
        let space = match drawn {
            Some(Space::Radius { lat, lon, km }) if km >= 0.1 => Some(Space::radius(lat, lon, km)),
            Some(Space::Lasso(v)) => Space::lasso(&v),
            _ => None,
        };
        if let Some(space) = space {
            self.drawn_at.set_value(js_sys::Date::now());
            self.s.tool.set(Tool::Pan);
            let mut s = self.s.selection.get_untracked();
            s.space = Some(space);
            self.s.commit.run(s);
        }
    }

    /// The keyboard's way to draw: a radius at the map's centre (a sixth of the visible height),
    /// or a lasso vertex there.
    pub fn place_at_centre(self) {
        let Some((centre, height_km)) = self.map.with_value(|m| {
            let m = m.as_ref()?;
            let c = m.get_center();
            let el = self.s.container.get_untracked()?;
            let h = el.get_bounding_client_rect().height();
            let top = m.unproject(&js(json!([0.0, 0.0])));
            let bottom = m.unproject(&js(json!([0.0, h])));
            Some((
                (c.lat(), c.lng()),
                haversine_km(top.lat(), top.lng(), bottom.lat(), bottom.lng()),
            ))
        }) else {
            return;
        };
        match self.s.tool.get_untracked() {
            Tool::Radius => {
                let km = (height_km / 6.0).max(0.5).round();
                self.s.tool.set(Tool::Pan);
                let mut s = self.s.selection.get_untracked();
                s.space = Some(Space::radius(centre.0, centre.1, km));
                self.s.commit.run(s);
            }
            Tool::Lasso => self.s.lasso_keys.update(|v| v.push(centre)),
            Tool::Pan => {}
        }
    }
}

/// (code, name) of a FeatureCollection's features.
fn features(fc: &serde_json::Value) -> Vec<(String, String)> {
    fc.get("features")
        .and_then(|f| f.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|f| {
                    let p = f.get("properties")?;
                    Some((
                        p.get("code")?.as_str()?.to_string(),
                        p.get("name")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn on(m: &Map, event: &str, f: impl FnMut(JsValue) + 'static) {
    let c = Closure::<dyn FnMut(JsValue)>::new(f);
    m.on(event, c.as_ref().unchecked_ref());
    c.forget();
}
