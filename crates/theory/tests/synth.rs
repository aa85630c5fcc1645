//! The generator of the project's synthetic question bank (`fixtures/qbank/synthetic/`).
//!
//! Every question is either plain arithmetic about speed, distance, time and points, whose answer
//! is computed here, or a short statement of a general road-safety rule. Pictures and animations
//! are simple shapes drawn here. Nothing is copied from any real bank. English translations are
//! given for every stem and option.

use std::io::Cursor;

use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame, ImageFormat, Rgba, RgbaImage};
use serde::Serialize;

type Chapter = (&'static str, &'static str);

const LAW: Chapter = ("1", "道路交通安全法律、法规和规章");
const SIGNALS: Chapter = ("2", "道路交通信号");
const SAFE: Chapter = ("3", "安全行车、文明驾驶基础知识");
const OPERATION: Chapter = ("4", "机动车驾驶操作相关基础知识");
const COMMON: Chapter = ("40", "安全行车常识");
const WEATHER: Chapter = ("43", "恶劣气候和复杂道路条件下驾驶常识");
const EMERGENCY: Chapter = ("44", "紧急情况下避险常识");

#[derive(Serialize)]
struct Opt {
    key: String,
    text: String,
    text_en: String,
}

/// One line of the bank, in the JSON Lines schema of `theory::import::jsonl`.
#[derive(Serialize)]
struct Line {
    id: String,
    subject: u8,
    chapter_code: &'static str,
    chapter_name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    stem: String,
    stem_en: String,
    options: Vec<Opt>,
    answer: Vec<String>,
    media: Option<String>,
    explanation: Option<String>,
}

struct Gen {
    lines: Vec<Line>,
}

fn key(i: usize) -> String {
    char::from(b'A' + i as u8).to_string()
}

impl Gen {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        subject: u8,
        chapter: Chapter,
        kind: &'static str,
        stem: String,
        stem_en: String,
        options: Vec<(String, String)>,
        answer: &[usize],
        media: Option<&str>,
        explanation: Option<String>,
    ) {
        let n = self.lines.iter().filter(|l| l.subject == subject).count() + 1;
        self.lines.push(Line {
            id: format!("syn{subject}-{n:03}"),
            subject,
            chapter_code: chapter.0,
            chapter_name: chapter.1,
            kind,
            stem,
            stem_en,
            options: options
                .into_iter()
                .enumerate()
                .map(|(i, (t, e))| Opt {
                    key: key(i),
                    text: t,
                    text_en: e,
                })
                .collect(),
            answer: answer.iter().map(|&i| key(i)).collect(),
            media: media.map(|m| format!("media/{m}")),
            explanation,
        });
    }

    fn judge(
        &mut self,
        subject: u8,
        chapter: Chapter,
        stem: String,
        stem_en: String,
        truth: bool,
        why: Option<String>,
    ) {
        let options = vec![
            ("正确".into(), "True".into()),
            ("错误".into(), "False".into()),
        ];
        self.push(
            subject,
            chapter,
            "judge",
            stem,
            stem_en,
            options,
            &[usize::from(!truth)],
            None,
            why,
        );
    }

    /// A single-choice question whose numeric options are `base` rotated by `turn`.
    #[allow(clippy::too_many_arguments)]
    fn numeric(
        &mut self,
        subject: u8,
        chapter: Chapter,
        stem: String,
        stem_en: String,
        base: [i64; 4],
        turn: usize,
        unit: (&str, &str),
        why: String,
    ) {
        let mut vals = base;
        vals.rotate_left(turn % 4);
        let answer = vals.iter().position(|&v| v == base[0]).unwrap();
        let options = vals
            .iter()
            .map(|v| (format!("{v}{}", unit.0), format!("{v} {}", unit.1)))
            .collect();
        self.push(
            subject,
            chapter,
            "single",
            stem,
            stem_en,
            options,
            &[answer],
            None,
            Some(why),
        );
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

const STATEMENTS_S1: [(Chapter, &str, &str, bool); 10] = [
    (
        LAW,
        "机动车行驶时，驾驶人、乘坐人员应当按规定使用安全带。",
        "When a motor vehicle is moving, the driver and passengers must wear seat belts as required.",
        true,
    ),
    (
        LAW,
        "饮酒后可以驾驶机动车。",
        "One may drive a motor vehicle after drinking alcohol.",
        false,
    ),
    (
        LAW,
        "驾驶机动车时可以拨打、接听手持电话。",
        "While driving one may make or take calls on a hand-held phone.",
        false,
    ),
    (
        LAW,
        "学习驾驶证明的有效期为三年。",
        "A learner permit is valid for three years.",
        true,
    ),
    (
        LAW,
        "科目一考试满分为100分，成绩达到90分的为合格。",
        "Subject 1 is marked out of 100, and a score of 90 or more is a pass.",
        true,
    ),
    (
        LAW,
        "科目一考试成绩达到80分即为合格。",
        "A Subject 1 score of 80 is a pass.",
        false,
    ),
    (
        SIGNALS,
        "绿灯亮时，准许车辆通行，但转弯的车辆不得妨碍被放行的直行车辆、行人通行。",
        "On green, vehicles may go, but turning vehicles must not hinder the straight-ahead vehicles and pedestrians that have been let through.",
        true,
    ),
    (
        SIGNALS,
        "黄灯亮时，已越过停止线的车辆可以继续通行。",
        "On yellow, vehicles already past the stop line may go on.",
        true,
    ),
    (
        SAFE,
        "连续驾驶机动车超过4小时，应当停车休息，停车休息时间不少于20分钟。",
        "After more than 4 hours of continuous driving, stop and rest for at least 20 minutes.",
        true,
    ),
    (
        SAFE,
        "下长坡时，可以空挡滑行以节省燃油。",
        "On a long downhill slope, coasting in neutral to save fuel is allowed.",
        false,
    ),
];

const STATEMENTS_S4: [(Chapter, &str, &str, bool); 10] = [
    (
        WEATHER,
        "雨天路面湿滑，应当降低车速，加大跟车距离。",
        "In rain the road is slippery: slow down and increase the following distance.",
        true,
    ),
    (
        WEATHER,
        "在冰雪路面上行车，应当急加速、急制动。",
        "On ice and snow, accelerate and brake sharply.",
        false,
    ),
    (
        WEATHER,
        "雾天能见度低，应当降低车速。",
        "In fog visibility is low, so slow down.",
        true,
    ),
    (
        EMERGENCY,
        "行驶中轮胎突然爆裂时，应当立即紧急制动。",
        "When a tyre bursts while driving, brake hard at once.",
        false,
    ),
    (
        EMERGENCY,
        "机动车在高速公路上发生故障不能移动时，警告标志应当设置在故障车来车方向150米以外。",
        "When a vehicle breaks down on an expressway and cannot be moved, the warning sign goes more than 150 m behind it, towards approaching traffic.",
        true,
    ),
    (
        EMERGENCY,
        "发生交通事故后，车辆驾驶人应当立即停车，保护现场。",
        "After a traffic accident the driver must stop at once and protect the scene.",
        true,
    ),
    (
        COMMON,
        "夜间会车时，应当在距相对方向来车150米以外改用近光灯。",
        "When meeting oncoming traffic at night, switch to dipped beam more than 150 m before the oncoming vehicle.",
        true,
    ),
    (
        COMMON,
        "在高速公路上可以倒车。",
        "Reversing is allowed on an expressway.",
        false,
    ),
    (
        COMMON,
        "驾驶人感到疲劳时，应当停车休息后再继续驾驶。",
        "A driver who feels tired should stop and rest before driving on.",
        true,
    ),
    (
        COMMON,
        "车辆行驶中，乘车人可以将头、手伸出窗外。",
        "While the vehicle is moving, passengers may put their heads or hands out of the window.",
        false,
    ),
];

/// Speed pairs (from, to) for braking-distance questions; the ratio is a whole number.
const RAISE: [(i64, i64); 8] = [
    (20, 40),
    (30, 60),
    (20, 60),
    (40, 80),
    (30, 90),
    (25, 50),
    (20, 80),
    (40, 120),
];

fn subject1(g: &mut Gen) {
    // Speeding, true/false.
    for limit in [30, 40, 50, 60, 70, 80, 100, 120] {
        for d in [-10, -5, 5, 10, 20] {
            let v = limit + d;
            let why = format!("{v} {} {limit}", if v > limit { ">" } else { "<" });
            g.judge(
                1,
                LAW,
                format!("在限速{limit}公里/小时的道路上，以{v}公里/小时行驶属于超速。"),
                format!("On a road with a {limit} km/h limit, driving at {v} km/h is speeding."),
                v > limit,
                Some(why),
            );
        }
    }
    for (chapter, zh, en, truth) in STATEMENTS_S1 {
        g.judge(1, chapter, zh.into(), en.into(), truth, None);
    }
    // Metres per second.
    for v in [36, 54, 72, 90, 108] {
        let mps = v * 10 / 36;
        for (d, truth) in [(mps, true), (mps + 5, false)] {
            g.judge(
                1,
                SAFE,
                format!("以{v}公里/小时行驶，车辆每秒约行驶{d}米。"),
                format!("At {v} km/h a vehicle covers about {d} metres per second."),
                truth,
                Some(format!("{v} ÷ 3.6 = {mps}")),
            );
        }
    }
    // Braking distance grows with the square of speed.
    for (a, b) in RAISE {
        let r = b / a;
        for (k, truth) in [(r * r, true), (r, false)] {
            g.judge(
                1,
                OPERATION,
                format!("在相同条件下，车速由{a}公里/小时提高到{b}公里/小时，制动距离约变为原来的{k}倍。"),
                format!("Under the same conditions, raising the speed from {a} km/h to {b} km/h makes the braking distance about {k} times as long."),
                truth,
                Some(format!("制动距离约与车速的平方成正比：({b}/{a})² = {} / braking distance grows about with the square of speed", r * r)),
            );
        }
    }
    // Percentage over the limit.
    for limit in [50, 60, 80, 100, 120] {
        for (i, p) in [10, 20, 50].into_iter().enumerate() {
            let v = limit * (100 + p) / 100;
            let options = pairs(&[
                ("10%", "10%"),
                ("20%", "20%"),
                ("50%", "50%"),
                ("100%", "100%"),
            ]);
            g.push(
                1,
                LAW,
                "single",
                format!("在限速{limit}公里/小时的道路上以{v}公里/小时行驶，超过限速的百分之几？"),
                format!("Driving at {v} km/h on a road with a {limit} km/h limit exceeds the limit by what percentage?"),
                options,
                &[i],
                None,
                Some(format!("({v} − {limit}) ÷ {limit} = {p}%")),
            );
        }
    }
    // Distance in some seconds.
    let mut turn = 0;
    for v in [36, 54, 72, 90, 108] {
        for t in [2, 3, 4] {
            let c = v * 10 / 36 * t;
            turn += 1;
            g.numeric(
                1,
                SAFE,
                format!("以{v}公里/小时行驶，{t}秒内约行驶多少米？"),
                format!("At {v} km/h, about how many metres does a vehicle cover in {t} seconds?"),
                [c, c + 5, c + 10, 2 * c + 15],
                turn,
                ("米", "m"),
                format!("{v} ÷ 3.6 × {t} = {c}"),
            );
        }
    }
    // Braking distance multiple.
    for (i, (a, b)) in RAISE.into_iter().enumerate() {
        let r = b / a;
        g.numeric(
            1,
            OPERATION,
            format!("在相同条件下，车速由{a}公里/小时提高到{b}公里/小时，制动距离约变为原来的几倍？"),
            format!("Under the same conditions, raising the speed from {a} km/h to {b} km/h makes the braking distance about how many times as long?"),
            [r * r, r, r * r + r, 2 * r * r],
            i,
            ("倍", "times"),
            format!("({b}/{a})² = {}", r * r),
        );
    }
    // Demerit points, plain addition.
    for a in [2, 3, 6] {
        for b in [1, 2, 3, 6] {
            let s = a + b;
            turn += 1;
            g.numeric(
                1,
                LAW,
                format!("一名驾驶人在一个记分周期内已被记{a}分，又因另一违法行为被记{b}分，累计记分是多少？"),
                format!("A driver has {a} points recorded in one scoring period, then {b} more for another offence. What is the total?"),
                [s, s + 1, s + 2, s + 3],
                turn,
                ("分", "points"),
                format!("{a} + {b} = {s}"),
            );
        }
    }
    // Sign colours.
    let colours = pairs(&[
        ("黄色", "yellow"),
        ("白色", "white"),
        ("蓝色", "blue"),
        ("绿色", "green"),
    ]);
    let signs = [
        ("警告标志", "warning signs", 0),
        ("禁令标志", "prohibition signs", 1),
        ("指示标志", "mandatory signs", 2),
        ("高速公路指路标志", "expressway direction signs", 3),
    ];
    for (zh, en, answer) in signs {
        g.push(
            1,
            SIGNALS,
            "single",
            format!("{zh}的底色通常是什么颜色？"),
            format!("What is the usual background colour of {en}?"),
            colours.clone(),
            &[answer],
            None,
            None,
        );
    }
    // Synthetic sign shapes.
    let classes = pairs(&[
        ("警告标志", "warning sign"),
        ("禁令标志", "prohibition sign"),
        ("指示标志", "mandatory sign"),
        ("指路标志", "direction sign"),
    ]);
    for (file, answer) in [
        ("sign-warning.png", 0),
        ("sign-prohibition.png", 1),
        ("sign-mandatory.png", 2),
    ] {
        g.push(
            1,
            SIGNALS,
            "single",
            "如图所示的合成示意图只画出标志的形状和颜色。按形状和颜色，它属于哪一类标志？".into(),
            "The synthetic picture shows only a sign's shape and colours. By shape and colour, which class of sign is it?".into(),
            classes.clone(),
            &[answer],
            Some(file),
            None,
        );
    }
    // Travel time.
    for (v, d) in [
        (30, 10),
        (30, 20),
        (40, 10),
        (40, 20),
        (60, 10),
        (60, 20),
        (60, 30),
        (80, 20),
        (80, 40),
        (90, 30),
        (90, 45),
        (120, 10),
        (120, 20),
        (120, 30),
        (120, 60),
    ] {
        let m = d * 60 / v;
        turn += 1;
        g.numeric(
            1,
            SAFE,
            format!("以{v}公里/小时的速度匀速行驶{d}公里，需要多少分钟？"),
            format!("Driving {d} km at a steady {v} km/h takes how many minutes?"),
            [m, m + 5, m + 10, 2 * m + 15],
            turn,
            ("分钟", "minutes"),
            format!("{d} ÷ {v} × 60 = {m}"),
        );
    }
}

fn safety(g: &mut Gen) {
    // Reaction distance, true/false.
    for v in [36, 72, 108] {
        for t in [1, 2] {
            let d = v * 10 / 36 * t;
            for (claim, truth) in [(d, true), (d + 10, false)] {
                g.judge(
                    4,
                    COMMON,
                    format!("车速{v}公里/小时，驾驶人反应时间为{t}秒，则在反应时间内车辆约行驶{claim}米。"),
                    format!("At {v} km/h with a reaction time of {t} s, the vehicle covers about {claim} m before the driver reacts."),
                    truth,
                    Some(format!("{v} ÷ 3.6 × {t} = {d}")),
                );
            }
        }
    }
    for (chapter, zh, en, truth) in STATEMENTS_S4 {
        g.judge(4, chapter, zh.into(), en.into(), truth, None);
    }
    // Reaction distance, single choice.
    let mut turn = 0;
    for v in [36, 54, 72] {
        for t in [1, 2, 3] {
            let c = v * 10 / 36 * t;
            turn += 1;
            g.numeric(
                4,
                COMMON,
                format!("车速{v}公里/小时，驾驶人反应时间为{t}秒，反应时间内车辆约行驶多少米？"),
                format!("At {v} km/h with a reaction time of {t} s, about how far does the vehicle travel before the driver reacts?"),
                [c, c + 5, c + 10, 2 * c + 15],
                turn,
                ("米", "m"),
                format!("{v} ÷ 3.6 × {t} = {c}"),
            );
        }
    }
    // Synthetic traffic-light animations.
    let lights = pairs(&[("红色", "red"), ("黄色", "yellow"), ("绿色", "green")]);
    for (file, last) in [
        ("light-red-green-yellow.gif", 1),
        ("light-green-yellow-red.gif", 0),
        ("light-yellow-red-green.gif", 2),
    ] {
        g.push(
            4,
            COMMON,
            "single",
            "动画为合成示意：信号灯颜色依次变化。动画中最后亮起的是哪种颜色？".into(),
            "The animation is synthetic: a signal light changes colour in turn. Which colour lights last?".into(),
            lights.clone(),
            &[last],
            Some(file),
            None,
        );
    }
    // Braking distance after slowing down.
    let fractions = pairs(&[
        ("1/2", "1/2"),
        ("1/4", "1/4"),
        ("4/9", "4/9"),
        ("1/9", "1/9"),
    ]);
    for (a, b, answer) in [
        (80, 40, 1),
        (60, 30, 1),
        (90, 60, 2),
        (90, 30, 3),
        (120, 60, 1),
        (120, 80, 2),
        (60, 20, 3),
    ] {
        g.push(
            4,
            WEATHER,
            "single",
            format!("在相同条件下，车速由{a}公里/小时降到{b}公里/小时，制动距离约变为原来的几分之几？"),
            format!("Under the same conditions, lowering the speed from {a} km/h to {b} km/h makes the braking distance about what fraction of what it was?"),
            fractions.clone(),
            &[answer],
            None,
            Some(format!("({b}/{a})² / braking distance grows about with the square of speed")),
        );
    }
    // Following distance in metres.
    for v in [54, 72, 90, 108] {
        for s in [2, 3] {
            let c = v * 10 / 36 * s;
            turn += 1;
            g.numeric(
                4,
                WEATHER,
                format!("以{v}公里/小时行驶，与前车保持{s}秒的时间间隔，约相当于多少米的车距？"),
                format!("At {v} km/h, a gap of {s} seconds to the vehicle ahead is about how many metres?"),
                [c, c + 5, c + 10, 2 * c + 15],
                turn,
                ("米", "m"),
                format!("{v} ÷ 3.6 × {s} = {c}"),
            );
        }
    }
    // Which speeds are speeding (multiple choice).
    for limit in [40, 50, 60, 80, 100, 120] {
        for (speeds, answer) in [
            ([limit - 10, limit + 5, limit, limit + 20], vec![1, 3]),
            (
                [limit + 10, limit - 5, limit + 15, limit + 1],
                vec![0, 2, 3],
            ),
        ] {
            let options = speeds
                .iter()
                .map(|s| (format!("{s}公里/小时"), format!("{s} km/h")))
                .collect();
            g.push(
                4,
                COMMON,
                "multi",
                format!("在限速{limit}公里/小时的道路上，下列哪些车速属于超速？"),
                format!("On a road with a {limit} km/h limit, which of these speeds are speeding?"),
                options,
                &answer,
                None,
                Some(format!("超过{limit}的为超速 / above {limit} is speeding")),
            );
        }
    }
    g.push(
        4,
        WEATHER,
        "multi",
        "雨天行车，下列哪些做法是正确的？".into(),
        "Driving in rain, which of these are right?".into(),
        pairs(&[
            ("降低车速", "slow down"),
            ("加大跟车距离", "increase the following distance"),
            ("急转方向", "steer sharply"),
            ("猛踩制动踏板", "stamp on the brake pedal"),
        ]),
        &[0, 1],
        None,
        None,
    );
    g.push(
        4,
        EMERGENCY,
        "multi",
        "行驶中轮胎突然爆裂，下列哪些做法是正确的？".into(),
        "A tyre bursts while driving. Which of these are right?".into(),
        pairs(&[
            (
                "双手紧握转向盘",
                "hold the steering wheel firmly with both hands",
            ),
            ("松抬加速踏板", "ease off the accelerator"),
            ("立即紧急制动", "brake hard at once"),
            ("急转方向", "steer sharply"),
        ]),
        &[0, 1],
        None,
        None,
    );
}

/// The bank as JSON Lines text.
pub fn bank_jsonl() -> String {
    let mut g = Gen { lines: Vec::new() };
    subject1(&mut g);
    safety(&mut g);
    let mut out = String::new();
    for l in &g.lines {
        out.push_str(&serde_json::to_string(l).unwrap());
        out.push('\n');
    }
    out
}

const WHITE: Rgba<u8> = Rgba([255, 255, 255, 255]);
const BLACK: Rgba<u8> = Rgba([0, 0, 0, 255]);
const YELLOW: Rgba<u8> = Rgba([250, 200, 0, 255]);
const RED: Rgba<u8> = Rgba([210, 30, 30, 255]);
const GREEN: Rgba<u8> = Rgba([20, 170, 60, 255]);
const BLUE: Rgba<u8> = Rgba([20, 70, 190, 255]);
const DARK: Rgba<u8> = Rgba([40, 40, 40, 255]);
const SIZE: u32 = 64;

fn disc(fill: impl Fn(f32) -> Option<Rgba<u8>>, background: Rgba<u8>) -> RgbaImage {
    RgbaImage::from_fn(SIZE, SIZE, |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - 32.0, y as f32 + 0.5 - 32.0);
        fill((dx * dx + dy * dy).sqrt()).unwrap_or(background)
    })
}

/// A yellow triangle with a black border (point up).
fn triangle() -> RgbaImage {
    RgbaImage::from_fn(SIZE, SIZE, |x, y| {
        let (x, y) = (x as f32 + 0.5, y as f32 + 0.5);
        // Inside test against the three edges of the triangle (32,6) (4,58) (60,58), with a border.
        let edge = |ax: f32, ay: f32, bx: f32, by: f32| {
            let (nx, ny) = (by - ay, ax - bx);
            let len = (nx * nx + ny * ny).sqrt();
            ((x - ax) * nx + (y - ay) * ny) / len
        };
        let d = [
            edge(32.0, 6.0, 4.0, 58.0),
            edge(4.0, 58.0, 60.0, 58.0),
            edge(60.0, 58.0, 32.0, 6.0),
        ];
        let inside = d.iter().fold(f32::MAX, |m, &v| m.min(v));
        if inside < 0.0 {
            WHITE
        } else if inside < 5.0 {
            BLACK
        } else {
            YELLOW
        }
    })
}

/// The still pictures: (file name, picture).
pub fn pictures() -> Vec<(&'static str, RgbaImage)> {
    vec![
        ("sign-warning.png", triangle()),
        (
            "sign-prohibition.png",
            disc(
                |r| (r < 30.0).then_some(if r > 23.0 { RED } else { WHITE }),
                WHITE,
            ),
        ),
        (
            "sign-mandatory.png",
            disc(|r| (r < 30.0).then_some(BLUE), WHITE),
        ),
    ]
}

/// The animations: (file name, frames). Each frame is one lit signal.
pub fn animations() -> Vec<(&'static str, Vec<RgbaImage>)> {
    let lit = |c: Rgba<u8>| disc(move |r| (r < 22.0).then_some(c), DARK);
    vec![
        (
            "light-red-green-yellow.gif",
            vec![lit(RED), lit(GREEN), lit(YELLOW)],
        ),
        (
            "light-green-yellow-red.gif",
            vec![lit(GREEN), lit(YELLOW), lit(RED)],
        ),
        (
            "light-yellow-red-green.gif",
            vec![lit(YELLOW), lit(RED), lit(GREEN)],
        ),
    ]
}

/// PNG bytes of a picture.
pub fn png(img: &RgbaImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Animated GIF bytes, 0.8 s a frame, looping.
pub fn gif(frames: &[RgbaImage]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new(&mut out);
        enc.set_repeat(Repeat::Infinite).unwrap();
        let frames = frames
            .iter()
            .map(|f| Frame::from_parts(f.clone(), 0, 0, Delay::from_numer_denom_ms(800, 1)));
        enc.encode_frames(frames).unwrap();
    }
    out
}
