//! Resolutions, directives and conclusions of the centre, the tasks they assign to provinces and
//! committees (and provinces to some of their communes), and the progress reports on them.
//! Lateness is realistic: some provinces are slow, a share of tasks runs late, some are overdue.

use super::generate::Plan;
use super::model::{DIRECTIVES, DirectiveDef};
use super::{rng_for, tag};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use domain::{DirectiveKind, TaskStatus};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

/// One row of `directive`.
#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    pub code: String,
    pub kind: DirectiveKind,
    pub number: String,
    pub title: String,
    pub issued_on: NaiveDate,
    pub status: &'static str,
}

/// One row of `task`.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub id: i64,
    /// Index into [`Directives::directives`].
    pub directive: usize,
    pub parent: Option<i64>,
    pub unit: u32,
    pub title: String,
    pub assigned_on: NaiveDate,
    pub due_on: NaiveDate,
    pub progress: i16,
    pub status: TaskStatus,
    pub done_on: Option<NaiveDate>,
    pub source: u16,
    pub external_id: String,
    /// Local time (UTC+7).
    pub updated_at: NaiveDateTime,
}

/// One row of `task_report`.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub task: i64,
    pub reported_on: NaiveDate,
    pub progress: i16,
    pub note: String,
}

/// All directives with their tasks and reports.
#[derive(Clone, Debug, Default)]
pub struct Directives {
    pub directives: Vec<Directive>,
    pub tasks: Vec<Task>,
    pub reports: Vec<Report>,
}

struct Outcome {
    status: TaskStatus,
    progress: i16,
    done_on: Option<NaiveDate>,
}

fn outcome(
    rng: &mut ChaCha8Rng,
    assigned: NaiveDate,
    due: NaiveDate,
    slowness: f64,
    stall: f64,
    view: NaiveDate,
) -> Outcome {
    let planned = (due - assigned).num_days().max(1) as f64;
    let noise = LogNormal::new(0.0, 0.3)
        .map(|d| d.sample(rng))
        .unwrap_or(1.0);
    let takes = (planned * 0.8 * slowness * noise).round().max(3.0);
    let finish = assigned + Duration::days(takes as i64);
    // Some tasks stall: their reported progress stops short and they are never reported done.
    if rng.r#gen::<f64>() < stall * slowness {
        let elapsed = (view - assigned).num_days() as f64;
        let progress = (elapsed / planned * 100.0)
            .min(rng.gen_range(20.0..85.0))
            .round()
            .max(0.0) as i16;
        let status = if progress == 0 {
            TaskStatus::Assigned
        } else {
            TaskStatus::InProgress
        };
        return Outcome {
            status,
            progress,
            done_on: None,
        };
    }
    if finish <= view {
        return Outcome {
            status: TaskStatus::Done,
            progress: 100,
            done_on: Some(finish),
        };
    }
    // Slow units take a while before they even start.
    let start = rng.gen_range(0.0..20.0) * slowness;
    let elapsed = (view - assigned).num_days() as f64;
    if elapsed < start {
        return Outcome {
            status: TaskStatus::Assigned,
            progress: 0,
            done_on: None,
        };
    }
    let progress = (100.0 * elapsed / takes * rng.gen_range(0.85..1.05))
        .round()
        .clamp(0.0, 95.0) as i16;
    let status = if progress == 0 {
        TaskStatus::Assigned
    } else {
        TaskStatus::InProgress
    };
    Outcome {
        status,
        progress,
        done_on: None,
    }
}

fn note(progress: i16) -> String {
    match progress {
        100 => "Hoàn thành, đã báo cáo kết quả".to_string(),
        p if p < 30 => format!("Đã ban hành kế hoạch triển khai, đạt {p}%"),
        p if p < 70 => format!("Đang tổ chức thực hiện, đạt {p}%"),
        p => format!("Cơ bản hoàn thành các nội dung, đạt {p}%"),
    }
}

/// Generates the directives, tasks and reports.
pub fn generate(plan: &Plan) -> Directives {
    let mut rng = rng_for(plan.seed, tag::DIRECTIVES, 0);
    let view = plan.as_of;
    let first = plan.start + Duration::days(20);
    let last = plan.as_of - Duration::days(60);
    let span = (last - first).num_days().max(1) as f64;
    let n = DIRECTIVES.len() as f64 - 1.0;
    let h = &plan.h;
    let central = plan.central_sources();

    // Each province (and committee) has a steady pace: some are reliably slow.
    let province_pace: Vec<f64> = (0..h.provinces.len())
        .map(|p| {
            let mut r = rng_for(plan.seed, tag::TASKS, 10_000 + p as u64);
            LogNormal::new(0.0, 0.25)
                .map(|d| d.sample(&mut r))
                .unwrap_or(1.0)
        })
        .collect();
    let committee_pace: Vec<f64> = (0..h.committees.len())
        .map(|c| {
            let mut r = rng_for(plan.seed, tag::TASKS, 20_000 + c as u64);
            LogNormal::new(0.0, 0.2)
                .map(|d| d.sample(&mut r))
                .unwrap_or(1.0)
        })
        .collect();

    let mut out = Directives::default();
    let mut next_id = 1i64;
    for (di, def) in DIRECTIVES.iter().enumerate() {
        let offset = span * (di as f64 + rng.gen_range(0.15..0.85)) / n;
        // The newest one was issued only weeks ago: its tasks are just starting.
        let issued_on = if di + 1 == DIRECTIVES.len() {
            plan.as_of - Duration::days(rng.gen_range(20..=35))
        } else {
            first + Duration::days(offset as i64)
        };
        out.directives.push(Directive {
            code: def.code(),
            kind: def.kind,
            number: def.number_text(),
            title: def.title.to_string(),
            issued_on,
            status: "active",
        });
        let mut trng = rng_for(plan.seed, tag::TASKS, di as u64);
        let mut committees: Vec<usize> = (0..h.committees.len()).collect();
        if def.kind != DirectiveKind::Resolution {
            committees.shuffle(&mut trng);
            committees.truncate(3);
            committees.sort_unstable();
        }
        let mut assignees: Vec<(u32, f64, u16, Option<usize>)> = h
            .provinces
            .iter()
            .enumerate()
            .map(|(pi, p)| (p.unit, province_pace[pi], pi as u16, Some(pi)))
            .collect();
        assignees.extend(
            committees
                .iter()
                .map(|&c| (h.committees[c], committee_pace[c], central.ubkt, None)),
        );
        for (unit, pace, source, province) in assignees {
            let code = &h.units[unit as usize].code;
            let titles = task_titles(def);
            let mut long_task = None;
            for (k, title) in titles.into_iter().enumerate() {
                let assigned = issued_on + Duration::days(trng.gen_range(3..=12));
                let due = if k == 0 {
                    assigned + Duration::days(trng.gen_range(45..=90))
                } else {
                    assigned + Duration::days(trng.gen_range(270..=720))
                };
                let o = outcome(&mut trng, assigned, due, pace, 0.05, view);
                let id = next_id;
                next_id += 1;
                out.tasks.push(Task {
                    id,
                    directive: di,
                    parent: None,
                    unit,
                    title,
                    assigned_on: assigned,
                    due_on: due,
                    progress: o.progress,
                    status: o.status,
                    done_on: o.done_on,
                    source,
                    external_id: format!("{}/{}/{}", def.code(), code, k + 1),
                    updated_at: NaiveDateTime::MIN,
                });
                if k == 1 {
                    long_task = Some(out.tasks.len() - 1);
                }
            }
            // The province passes its long task on to some of its communes; it reports the task
            // done only once they all have done theirs.
            let (Some(pi), Some(parent_index)) = (province, long_task) else {
                continue;
            };
            let parent = out.tasks[parent_index].clone();
            let p = &h.provinces[pi];
            let mut communes: Vec<u32> = p.communes.clone().collect();
            communes.shuffle(&mut trng);
            communes.truncate(plan.params.subtasks_per_province);
            communes.sort_unstable();
            let stall = 0.15 / communes.len().max(1) as f64;
            let first_child = out.tasks.len();
            for ci in communes {
                let commune = h.communes[ci as usize].unit;
                let assigned = parent.assigned_on + Duration::days(trng.gen_range(10..=40));
                let due = parent.due_on - Duration::days(trng.gen_range(20..=60));
                if assigned > view || due < assigned + Duration::days(30) {
                    continue;
                }
                let own = pace
                    * LogNormal::new(0.0, 0.2)
                        .map(|d| d.sample(&mut trng))
                        .unwrap_or(1.0);
                let mut o = outcome(&mut trng, assigned, due, own, stall, view);
                if let (Some(parent_done), Some(done)) = (parent.done_on, o.done_on) {
                    o.done_on = Some(done.min(parent_done).max(assigned + Duration::days(1)));
                }
                let id = next_id;
                next_id += 1;
                out.tasks.push(Task {
                    id,
                    directive: di,
                    parent: Some(parent.id),
                    unit: commune,
                    title: format!("Triển khai thực hiện {} tại cơ sở", def.number_text()),
                    assigned_on: assigned,
                    due_on: due,
                    progress: o.progress,
                    status: o.status,
                    done_on: o.done_on,
                    source,
                    external_id: format!("{}/{}/1", def.code(), h.units[commune as usize].code),
                    updated_at: NaiveDateTime::MIN,
                });
            }
            let children = &out.tasks[first_child..];
            if parent.done_on.is_some() && children.iter().any(|t| t.done_on.is_none()) {
                let mean = children.iter().map(|t| f64::from(t.progress)).sum::<f64>()
                    / children.len() as f64;
                let t = &mut out.tasks[parent_index];
                t.done_on = None;
                t.status = TaskStatus::InProgress;
                t.progress = (mean.round() as i16).clamp(1, 95);
            }
        }
    }

    // Progress reports, and when each task was last updated.
    for t in out.tasks.iter_mut() {
        let mut rrng = rng_for(plan.seed, tag::TASKS, 1_000_000 + t.id as u64);
        let limit = plan.sources[t.source as usize].last_arrival;
        let mut last = t.assigned_on;
        if t.progress > 0 {
            let end = t.done_on.unwrap_or_else(|| {
                (view - Duration::days(rrng.gen_range(0..25)))
                    .max(t.assigned_on + Duration::days(1))
            });
            let days = (end - t.assigned_on).num_days().max(1);
            let k = (1 + days / 90).clamp(1, 4);
            for j in 1..=k {
                let reported_on = t.assigned_on + Duration::days(days * j / k);
                let progress = if j == k {
                    t.progress
                } else {
                    (i64::from(t.progress) * j / k) as i16
                };
                out.reports.push(Report {
                    task: t.id,
                    reported_on,
                    progress,
                    note: note(progress),
                });
                last = reported_on;
            }
        }
        let at = (last + Duration::days(1)).and_time(NaiveTime::MIN)
            + Duration::minutes(rrng.gen_range(60..360));
        t.updated_at = at.min(limit);
    }

    // Directives whose every task is done are completed; the oldest conclusion was superseded.
    for (di, d) in out.directives.iter_mut().enumerate() {
        let all_done = out
            .tasks
            .iter()
            .filter(|t| t.directive == di)
            .all(|t| t.status == TaskStatus::Done);
        if di == 2 && (view - d.issued_on).num_days() > 3 * 365 {
            d.status = "superseded";
        } else if all_done && (view - d.issued_on).num_days() > 365 {
            d.status = "completed";
        }
    }
    out
}

fn task_titles(def: &DirectiveDef) -> [String; 2] {
    [
        format!(
            "Quán triệt và xây dựng chương trình hành động thực hiện {}",
            def.number_text()
        ),
        format!("{} theo {}; báo cáo kết quả", def.action, def.number_text()),
    ]
}
