//! A deterministic demo village: a realistic, fictional flood- and landslide-prone village in the
//! hills of Zhejiang. The same seed, size and date always give the same village.

use std::path::Path;
use std::sync::Arc;

use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};

use crate::clock::{Clock, FixedClock};
use crate::error::Result;
use crate::records::*;
use crate::store::{Store, Writer};
use crate::validate::resident_id_check_char;

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub households: usize,
    pub seed: u64,
    /// The day the demo is made; inspections, reports and drills are dated around it.
    pub today: NaiveDate,
}

impl DemoOptions {
    pub fn new(today: NaiveDate) -> Self {
        DemoOptions {
            households: 300,
            seed: 1,
            today,
        }
    }
}

/// What was made, for the CLI to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub village: String,
    pub households: usize,
    pub residents: usize,
    pub vulnerable: usize,
}

/// Makes a new store at `path` holding the demo village. Refuses an existing file.
pub fn create(path: &Path, options: DemoOptions) -> Result<(Store, DemoSummary)> {
    let noon = options.today.and_hms_opt(12, 0, 0).unwrap_or_default();
    let clock = Arc::new(FixedClock::at(Utc.from_utc_datetime(&noon)));
    let mut store = Store::create_new(path, clock.clone())?;
    let summary = store.write(|w| Demo::new(w, options, clock.as_ref()).build())?;
    Ok((store, summary))
}

/// A small fast deterministic generator (SplitMix64); good enough for made-up villages.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "陈", "刘", "杨", "黄", "吴", "周", "徐", "沈", "朱", "钱", "孙", "胡", "郑",
    "俞", "潘", "姚", "方", "金", "叶", "蒋", "汪", "邵", "章", "许", "施", "马", "顾",
];
const MALE_GIVEN: &[&str] = &[
    "建国", "国强", "志明", "伟", "军", "永康", "海峰", "立新", "明华", "金根", "水生", "福林",
    "建华", "国庆", "晓东", "家豪", "子轩", "浩然", "宇航", "俊杰", "德兴", "根宝", "荣发", "春生",
    "卫东",
];
const FEMALE_GIVEN: &[&str] = &[
    "秀英", "桂英", "玉兰", "美华", "丽娟", "红梅", "金凤", "小燕", "雪芳", "月娥", "彩凤", "素珍",
    "海燕", "静", "婷", "欣怡", "梓涵", "雨桐", "佳怡", "诗琪", "爱珍", "菊芳", "巧云", "慧敏",
    "春燕",
];
const HOUSE_TYPES: &[&str] = &["砖混", "砖混", "砖混", "钢混", "砖木", "土木"];
const MOBILE_PREFIXES: &[&str] = &[
    "138", "139", "135", "137", "150", "151", "158", "159", "187", "188", "133", "153", "189",
    "177",
];
const REGION: &str = "330599";

struct Demo<'w, 's> {
    w: &'w mut Writer<'s>,
    rng: Rng,
    options: DemoOptions,
    id_ms: u64,
    /// ID numbers handed out: each is one person's in the village.
    id_numbers: std::collections::HashSet<String>,
}

struct Person {
    name: String,
    phone: String,
}

/// A household for the education sign-ins: its id, its grid's index, its members' (resident id,
/// age).
type RollEntry = (String, usize, Vec<(String, usize)>);

impl<'w, 's> Demo<'w, 's> {
    fn new(w: &'w mut Writer<'s>, options: DemoOptions, clock: &dyn Clock) -> Self {
        Demo {
            w,
            rng: Rng(options.seed ^ 0x5EED_C0DE),
            options,
            id_ms: clock.now().timestamp_millis().max(0) as u64,
            id_numbers: std::collections::HashSet::new(),
        }
    }

    fn id(&mut self) -> String {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.rng.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.rng.next().to_le_bytes()[..2]);
        self.id_ms += 1;
        uuid::Builder::from_unix_timestamp_millis(self.id_ms, &bytes)
            .into_uuid()
            .to_string()
    }

    fn save<R: Record>(&mut self, mut r: R) -> Result<R> {
        r.set_id(self.id());
        self.w.save(&r)
    }

    fn mobile(&mut self) -> String {
        let prefix = *self.rng.pick(MOBILE_PREFIXES);
        format!("{prefix}{:08}", self.rng.next() % 100_000_000)
    }

    fn name(&mut self, male: bool) -> String {
        let surname = *self.rng.pick(SURNAMES);
        let given = if male {
            *self.rng.pick(MALE_GIVEN)
        } else {
            *self.rng.pick(FEMALE_GIVEN)
        };
        format!("{surname}{given}")
    }

    fn person(&mut self, male: bool) -> Person {
        Person {
            name: self.name(male),
            phone: self.mobile(),
        }
    }

    fn days_ago(&self, days: u64) -> NaiveDate {
        self.options
            .today
            .checked_sub_days(Days::new(days))
            .unwrap_or(self.options.today)
    }

    /// A valid, fictional ID number for the birth date and sex, never one already handed out
    /// (a taken sequence number moves on to the next free one of the same sex).
    fn id_number(&mut self, birth: NaiveDate, male: bool) -> String {
        let start = self.rng.below(500);
        for step in 0..500 {
            let seq = ((start + step) % 500) * 2 + usize::from(male);
            let first17 = format!("{REGION}{}{seq:03}", birth.format("%Y%m%d"));
            let check = resident_id_check_char(&first17).unwrap_or('0');
            let number = format!("{first17}{check}");
            if self.id_numbers.insert(number.clone()) {
                return number;
            }
        }
        // 500 people of one sex born on one day: leave the number out rather than repeat it.
        String::new()
    }

    fn build(mut self) -> Result<DemoSummary> {
        let households = self.options.households.max(1);
        let secretary = self.person(true);
        let officer = self.person(true);
        let village = self.save(Village {
            code: "330599101201".into(),
            name: "青石村".into(),
            township: "溪口镇".into(),
            county: "临溪县".into(),
            province_city: "浙江省湖州市".into(),
            population: None,
            household_count: Some(households as i64),
            hazard_kinds: vec![
                HazardKind::Flood,
                HazardKind::Geological,
                HazardKind::ForestFire,
            ],
            comms_guaranteed: false,
            party_secretary: secretary.name.clone(),
            party_secretary_phone: secretary.phone.clone(),
            officer_name: officer.name.clone(),
            officer_phone: officer.phone.clone(),
            note:
                "村庄沿青石溪分布，溪边低洼地带汛期易涝，后山有滑坡隐患点。（演示数据，纯属虚构）"
                    .into(),
            ..Village::default()
        })?;

        // Hazard sites.
        let reservoir_monitor = self.person(true);
        let slope_monitor = self.person(true);
        let sites = [
            (
                "青石水库（小二型）",
                HazardKind::Flood,
                "山塘水库",
                "村北 1.5 公里",
                "orange",
                &reservoir_monitor,
            ),
            (
                "溪边片低洼易涝点",
                HazardKind::Flood,
                "低洼易涝点",
                "青石溪沿岸 1–3 组",
                "red",
                &reservoir_monitor,
            ),
            (
                "后山滑坡隐患点",
                HazardKind::Geological,
                "地质灾害隐患点",
                "5 组后山坡脚",
                "orange",
                &slope_monitor,
            ),
            (
                "老村危旧房片",
                HazardKind::Flood,
                "危旧房",
                "老村 2 组",
                "yellow",
                &slope_monitor,
            ),
        ];
        let mut site_ids = Vec::new();
        for (name, hazard, site_type, location, color, monitor) in sites {
            let site = self.save(HazardSite {
                name: name.into(),
                hazard: Some(hazard),
                site_type: site_type.into(),
                location: location.into(),
                risk_color: color.into(),
                monitor_name: monitor.name.clone(),
                monitor_phone: monitor.phone.clone(),
                ..HazardSite::default()
            })?;
            site_ids.push(site.id);
        }

        // Grids, about 50 households each, with a leader and a member.
        let grid_count = households.div_ceil(50).max(1);
        let mut grids = Vec::new();
        for g in 0..grid_count {
            let grid = self.save(Grid {
                name: format!("第{}网格", g + 1),
                area: format!("{}组、{}组", g * 2 + 1, g * 2 + 2),
                ..Grid::default()
            })?;
            let mut members = Vec::new();
            for role in ["网格长", "网格员"] {
                let p = {
                    let male = self.rng.chance(60);
                    self.person(male)
                };
                self.save(GridMember {
                    grid_id: grid.id.clone(),
                    name: p.name.clone(),
                    phone: p.phone.clone(),
                    role: role.into(),
                    ..GridMember::default()
                })?;
                members.push(p);
            }
            grids.push((grid, members));
        }

        // Households and residents.
        let this_year = self.options.today.year();
        let mut residents = 0;
        let mut vulnerable = 0;
        let mut roll: Vec<RollEntry> = Vec::new();
        for h in 0..households {
            let grid_index = h * grid_count / households;
            let group = grid_index * 2 + 1 + usize::from(h % 2 == 1);
            let head_male = self.rng.chance(80);
            let head_name = self.name(head_male);
            let head_phone = self.mobile();
            let danger = self.rng.chance(10);
            let house_type = *self.rng.pick(HOUSE_TYPES);
            let household = self.save(Household {
                grid_id: Some(grids[grid_index].0.id.clone()),
                head_name: head_name.clone(),
                address: format!("青石村{group}组{}号", h / 2 + 1),
                phone: head_phone.clone(),
                house_type: house_type.into(),
                in_danger_zone: danger,
                ..Household::default()
            })?;
            if danger {
                let site = site_ids[if h % 3 == 0 { 2 } else { 1 }].clone();
                self.save(HouseholdHazard {
                    household_id: household.id.clone(),
                    hazard_site_id: site,
                    ..HouseholdHazard::default()
                })?;
            }
            let size = 1 + self.rng.below(5);
            let head_age = if size == 1 {
                68 + self.rng.below(22)
            } else {
                35 + self.rng.below(45)
            };
            let surname: String = head_name.chars().take(1).collect();
            let mut members = Vec::new();
            for m in 0..size {
                let (relation, male, age) = match m {
                    0 => ("户主", head_male, head_age),
                    1 => (
                        "配偶",
                        !head_male,
                        head_age.saturating_sub(2) + self.rng.below(4),
                    ),
                    2 | 3 => (
                        if self.rng.chance(50) { "子" } else { "女" },
                        self.rng.chance(50),
                        head_age.saturating_sub(25 + self.rng.below(6)),
                    ),
                    _ => ("孙子女", self.rng.chance(50), 3 + self.rng.below(12)),
                };
                let male = match relation {
                    "子" => true,
                    "女" => false,
                    _ => male,
                };
                let name = if m == 0 {
                    head_name.clone()
                } else if m == 1 {
                    self.name(male)
                } else {
                    let given = if male {
                        *self.rng.pick(MALE_GIVEN)
                    } else {
                        *self.rng.pick(FEMALE_GIVEN)
                    };
                    format!("{surname}{given}")
                };
                let birth = NaiveDate::from_ymd_opt(
                    this_year - age as i32,
                    1 + self.rng.below(12) as u32,
                    1 + self.rng.below(28) as u32,
                )
                .unwrap_or(self.options.today);
                let id_number = self.id_number(birth, male);
                let phone = if m == 0 {
                    head_phone.clone()
                } else if age >= 16 && self.rng.chance(70) {
                    self.mobile()
                } else {
                    String::new()
                };
                let resident = self.save(Resident {
                    household_id: household.id.clone(),
                    name,
                    relation: relation.into(),
                    gender: if male { "男" } else { "女" }.into(),
                    birth_date: Some(birth),
                    id_number,
                    phone,
                    ..Resident::default()
                })?;
                residents += 1;
                members.push((resident.id.clone(), age));
                let kind = if size == 1 && age >= 70 {
                    Some((VulnerableKind::ElderlyAlone, ""))
                } else if self.rng.chance(2) {
                    Some((VulnerableKind::Disabled, "肢体残疾"))
                } else if age >= 80 && self.rng.chance(20) {
                    Some((VulnerableKind::Bedridden, "长期卧床"))
                } else if m == 1 && !male && age < 40 && self.rng.chance(8) {
                    Some((VulnerableKind::Pregnant, ""))
                } else if m >= 4 && age < 14 && self.rng.chance(15) {
                    Some((VulnerableKind::LeftBehindChild, "父母在外务工"))
                } else {
                    None
                };
                if let Some((kind, note)) = kind {
                    let helper = &grids[grid_index].1[1];
                    let (helper_name, helper_phone) = (helper.name.clone(), helper.phone.clone());
                    self.save(VulnerablePerson {
                        resident_id: resident.id.clone(),
                        kind,
                        kind_note: note.into(),
                        helper_name,
                        helper_phone,
                        ..VulnerablePerson::default()
                    })?;
                    vulnerable += 1;
                }
            }
            roll.push((household.id.clone(), grid_index, members));
        }

        // Shelters and routes.
        let keeper1 = self.person(false);
        let keeper2 = self.person(true);
        let hall = self.save(Shelter {
            name: "村文化礼堂".into(),
            address: "青石村 4 组村委会旁（高地）".into(),
            capacity: Some(300),
            keeper_name: keeper1.name.clone(),
            keeper_phone: keeper1.phone.clone(),
            hazard_kinds: vec![HazardKind::Flood, HazardKind::Geological],
            ..Shelter::default()
        })?;
        let school = self.save(Shelter {
            name: "青石小学".into(),
            address: "青石村 6 组山脚平地".into(),
            capacity: Some(500),
            keeper_name: keeper2.name.clone(),
            keeper_phone: keeper2.phone.clone(),
            hazard_kinds: vec![
                HazardKind::Flood,
                HazardKind::Geological,
                HazardKind::Earthquake,
            ],
            ..Shelter::default()
        })?;
        let flood_route =
            self.save(EvacuationRoute {
                name: "溪边片转移路线".into(),
                from_place: "青石溪沿岸 1–3 组".into(),
                shelter_id: Some(hall.id.clone()),
                description:
                    "沿村道向北，经青石桥（水位过桥面时改走后山机耕路），至村文化礼堂，约 800 米"
                        .into(),
                distance_m: Some(800),
                ..EvacuationRoute::default()
            })?;
        let slope_route = self.save(EvacuationRoute {
            name: "后山片转移路线".into(),
            from_place: "5 组后山坡脚".into(),
            shelter_id: Some(school.id.clone()),
            description: "避开滑坡体两侧，沿 5 组水泥路向东至青石小学，约 1.2 公里".into(),
            distance_m: Some(1200),
            ..EvacuationRoute::default()
        })?;

        // Teams.
        let shock = self.save(Team {
            name: "青石村应急突击队".into(),
            kind: "shock".into(),
            ..Team::default()
        })?;
        let leader = self.person(true);
        let warner = self.person(true);
        let reporter = self.person(false);
        for (i, role) in [
            "队长",
            "预警员",
            "信息员",
            "队员",
            "队员",
            "队员",
            "队员",
            "队员",
            "队员",
            "队员",
        ]
        .iter()
        .enumerate()
        {
            let p = match i {
                0 => Person {
                    name: leader.name.clone(),
                    phone: leader.phone.clone(),
                },
                1 => Person {
                    name: warner.name.clone(),
                    phone: warner.phone.clone(),
                },
                2 => Person {
                    name: reporter.name.clone(),
                    phone: reporter.phone.clone(),
                },
                _ => {
                    let male = self.rng.chance(85);
                    self.person(male)
                }
            };
            let skills = *self.rng.pick(&[
                "抢险救援、水泵操作",
                "发电机操作",
                "急救",
                "驾驶、搬运",
                "巡查、喊话",
                "油锯操作",
            ]);
            self.save(TeamMember {
                team_id: shock.id.clone(),
                name: p.name,
                phone: p.phone,
                role: (*role).into(),
                skills: skills.into(),
                ..TeamMember::default()
            })?;
        }
        for name in ["监测预警组", "转移安置组", "抢险救援组", "后勤保障组"] {
            let team = self.save(Team {
                name: name.into(),
                kind: "other".into(),
                ..Team::default()
            })?;
            for role in ["组长", "组员", "组员"] {
                let p = {
                    let male = self.rng.chance(70);
                    self.person(male)
                };
                self.save(TeamMember {
                    team_id: team.id.clone(),
                    name: p.name,
                    phone: p.phone,
                    role: role.into(),
                    ..TeamMember::default()
                })?;
            }
        }

        // Contacts: village people, township and county duty lines (A/B). All the village's own
        // (owner `village`): only rows the county publishes are county-owned, and the county
        // server refuses a village's row that calls itself the county's.
        let contacts = [
            (
                secretary.name.as_str(),
                "青石村村委会",
                "村党组织书记",
                "village",
                secretary.phone.as_str(),
                false,
                "village",
            ),
            (
                officer.name.as_str(),
                "青石村村委会",
                "村应急管理员",
                "village",
                officer.phone.as_str(),
                false,
                "village",
            ),
            (
                "溪口镇应急管理办公室值班",
                "溪口镇人民政府",
                "值班电话",
                "township",
                "0572-6211110",
                true,
                "village",
            ),
            (
                "临溪县应急管理局值班室",
                "临溪县应急管理局",
                "24小时值班",
                "county",
                "0572-5012110",
                true,
                "village",
            ),
            (
                "临溪县防汛防台抗旱指挥部办公室",
                "临溪县水利局",
                "防汛值班",
                "county",
                "0572-5012345",
                true,
                "village",
            ),
        ];
        let mut duty_a = None;
        for (name, org, role, level, phone, duty, owner) in contacts {
            let c = self.save(Contact {
                name: name.into(),
                organization: org.into(),
                role: role.into(),
                level: level.into(),
                phone: phone.into(),
                is_duty_line: duty,
                owner: owner.into(),
                ..Contact::default()
            })?;
            if level == "township" {
                duty_a = Some(c.id);
            }
        }
        let township_b = self.person(false);
        self.save(Contact {
            name: format!("溪口镇应急办（B岗）{}", township_b.name),
            organization: "溪口镇人民政府".into(),
            role: "值班 B 岗".into(),
            level: "township".into(),
            phone: township_b.phone.clone(),
            backup_of: duty_a,
            owner: "village".into(),
            ..Contact::default()
        })?;

        // Kit: 5 standard items (one short), X items, inspections (one overdue).
        let custodian = self.person(true);
        let kit = [
            (
                Some("generator"),
                "小型发电机",
                1,
                "台",
                "村委会应急物资仓库",
                KitCondition::Good,
                20,
                30,
            ),
            (
                Some("drainage-pump"),
                "带动力排水泵",
                2,
                "台",
                "村委会应急物资仓库",
                KitCondition::Good,
                25,
                30,
            ),
            (
                Some("micro-fire-station"),
                "微型消防站",
                1,
                "套",
                "村委会一楼东侧",
                KitCondition::NeedsRepair,
                40,
                30,
            ),
            (
                Some("megaphone"),
                "手持扩音器",
                1,
                "个",
                "村委会值班室",
                KitCondition::Good,
                10,
                90,
            ),
            (
                Some("satellite-phone"),
                "卫星电话",
                1,
                "部",
                "村委会值班室（充电柜）",
                KitCondition::Good,
                12,
                30,
            ),
            (
                None,
                "救生衣",
                30,
                "件",
                "村委会应急物资仓库",
                KitCondition::Good,
                60,
                180,
            ),
            (
                None,
                "冲锋舟（橡皮艇）",
                1,
                "艘",
                "村文化礼堂后仓",
                KitCondition::Good,
                200,
                180,
            ),
            (
                None,
                "油锯",
                2,
                "台",
                "村委会应急物资仓库",
                KitCondition::Good,
                45,
                90,
            ),
            (
                None,
                "急救箱",
                3,
                "个",
                "村委会值班室",
                KitCondition::Good,
                30,
                90,
            ),
            (
                None,
                "沙袋",
                500,
                "只",
                "青石桥头物资点",
                KitCondition::Good,
                100,
                180,
            ),
            (
                None,
                "铜锣",
                4,
                "面",
                "各组组长家",
                KitCondition::Good,
                30,
                365,
            ),
        ];
        for (code, name, qty, unit, location, condition, inspected_days_ago, every) in kit {
            let item = self.save(KitItem {
                catalog_code: code.map(str::to_string),
                name: name.into(),
                quantity: qty,
                unit: unit.into(),
                location: location.into(),
                custodian: custodian.name.clone(),
                custodian_phone: custodian.phone.clone(),
                condition,
                inspect_every_days: every,
                ..KitItem::default()
            })?;
            let date = self.days_ago(inspected_days_ago);
            self.save(KitInspection {
                kit_item_id: item.id,
                date,
                inspector: custodian.name.clone(),
                result: condition,
                note: if condition == KitCondition::NeedsRepair {
                    "灭火器压力不足，已报修".into()
                } else {
                    String::new()
                },
                ..KitInspection::default()
            })?;
        }

        // Flood responsible persons and their four small items.
        for (i, area) in [
            "青石溪沿岸 1 组",
            "青石溪沿岸 2 组",
            "青石溪沿岸 3 组",
            "青石水库",
            "后山滑坡点",
            "老村危旧房片",
        ]
        .iter()
        .enumerate()
        {
            let p = self.person(true);
            self.save(FloodResponsible {
                name: p.name,
                phone: p.phone,
                duty_area: (*area).into(),
                has_helmet: true,
                has_flashlight: true,
                has_rain_gear: i != 4,
                has_life_jacket: i < 3,
                ..FloodResponsible::default()
            })?;
        }

        // Plans with their steps and the six items of 六落实.
        let fmt = |p: &Person, role: &str| format!("{}（{role}）{}", p.name, p.phone);
        let flood = self.save(Plan {
            hazard: Some(HazardKind::Flood),
            title: "青石村防汛防台应急预案（一页纸）".into(),
            warning_signal: "连续敲锣 + 村应急广播 + 手摇报警器长鸣".into(),
            warning_giver: fmt(&warner, "预警员"),
            responsible: fmt(&secretary, "村党组织书记"),
            monitor: fmt(&reservoir_monitor, "水库、溪道监测"),
            reporter: fmt(&reporter, "信息员"),
            route: format!("{}：{}", flood_route.name, flood_route.description),
            route_ref: Some(flood_route.id.clone()),
            safe_place: format!("{}（{}，可容纳300人）", hall.name, hall.address),
            safe_place_ref: Some(hall.id.clone()),
            approved_by: secretary.name.clone(),
            approved_on: Some(self.days_ago(120)),
            ..Plan::default()
        })?;
        let flood_steps: &[(PlanPhase, Option<&str>, &str, &str, &str)] = &[
            (
                PlanPhase::Warning,
                Some("blue"),
                "信息员",
                "接收并转发气象、水文预警",
                "微信群、村广播通知到各网格员；关注青石溪水位",
            ),
            (
                PlanPhase::Warning,
                Some("orange"),
                "预警员",
                "发布转移准备通知",
                "村应急广播每半小时播报，网格员逐户电话通知",
            ),
            (
                PlanPhase::Warning,
                Some("red"),
                "村党组织书记",
                "下达立即转移命令",
                "敲锣、手摇报警器长鸣，网格员上门",
            ),
            (
                PlanPhase::FirstResponse,
                None,
                "应急突击队",
                "巡查溪道、水库、危旧房",
                "两人一组，穿救生衣，发现险情立即报告",
            ),
            (
                PlanPhase::FirstResponse,
                None,
                "抢险救援组",
                "架设排水泵，封堵缺口",
                "使用村仓库排水泵、沙袋；先避险、再抢险",
            ),
            (
                PlanPhase::Evacuation,
                None,
                "网格员",
                "按户转移危险区群众",
                "逐户敲门、点名，重点人群由帮扶人负责",
            ),
            (
                PlanPhase::Evacuation,
                None,
                "转移安置组",
                "安置点开门、登记、发放物资",
                "按名单清点人数，一人不漏",
            ),
            (
                PlanPhase::Reporting,
                None,
                "信息员",
                "30分钟内电话报告镇应急办",
                "报告时间、地点、险情、人员转移情况，续报进展",
            ),
            (
                PlanPhase::Recovery,
                None,
                "村两委",
                "确认安全后组织群众返回",
                "险情解除、房屋检查安全后分批返回",
            ),
        ];
        self.steps(&flood.id, flood_steps)?;

        let geo = self.save(Plan {
            hazard: Some(HazardKind::Geological),
            title: "青石村地质灾害应急预案（一页纸）".into(),
            warning_signal: "急促哨音 + 村应急广播".into(),
            warning_giver: fmt(&slope_monitor, "监测员"),
            responsible: fmt(&secretary, "村党组织书记"),
            monitor: fmt(&slope_monitor, "后山滑坡点监测"),
            reporter: fmt(&reporter, "信息员"),
            route: format!("{}：{}", slope_route.name, slope_route.description),
            route_ref: Some(slope_route.id.clone()),
            safe_place: format!("{}（{}，可容纳500人）", school.name, school.address),
            safe_place_ref: Some(school.id.clone()),
            approved_by: secretary.name.clone(),
            approved_on: Some(self.days_ago(120)),
            ..Plan::default()
        })?;
        let geo_steps: &[(PlanPhase, Option<&str>, &str, &str, &str)] = &[
            (
                PlanPhase::Warning,
                Some("yellow"),
                "监测员",
                "加密巡查后山裂缝、渗水",
                "每2小时查看一次裂缝标尺并拍照",
            ),
            (
                PlanPhase::Warning,
                Some("red"),
                "监测员",
                "发现前兆立即发警报",
                "吹急促哨音，电话报告村书记",
            ),
            (
                PlanPhase::Evacuation,
                None,
                "网格员",
                "转移5组后山坡脚住户",
                "沿后山片路线撤离，避开滑坡体两侧",
            ),
            (
                PlanPhase::Reporting,
                None,
                "信息员",
                "报告镇应急办和县自然资源部门",
                "说明位置、规模、人员情况",
            ),
            (
                PlanPhase::Recovery,
                None,
                "村两委",
                "专业人员确认稳定前不得返回",
                "设警戒线，专人看守",
            ),
        ];
        self.steps(&geo.id, geo_steps)?;

        // Hazard reports: one closed, one open, one overdue from an unannounced inspection.
        let reports = [
            (
                Some(2usize),
                40u64,
                "unannounced-inspection",
                "后山坡脚排水沟堵塞",
                Some(30u64),
                "已清淤并加固沟壁",
            ),
            (
                Some(3),
                20,
                "unannounced-inspection",
                "老村2组一处危旧房屋顶开裂，仍有老人居住",
                None,
                "",
            ),
            (Some(1), 5, "patrol", "青石桥护栏松动", None, ""),
        ];
        for (site, found_ago, source, description, closed_ago, fix) in reports {
            let found_on = self.days_ago(found_ago);
            self.save(HazardReport {
                hazard_site_id: site.map(|i| site_ids[i].clone()),
                found_on,
                found_by: officer.name.clone(),
                source: source.into(),
                description: description.into(),
                due_on: found_on.checked_add_days(Days::new(15)),
                closed_on: closed_ago.map(|d| self.days_ago(d)),
                fix_note: fix.into(),
                ..HazardReport::default()
            })?;
        }

        self.save(Drill {
            date: self.days_ago(60),
            kind: "comprehensive".into(),
            hazard: Some(HazardKind::Flood),
            participants: Some(86),
            problems: "部分老人不清楚安置点位置；广播在 5 组听不清".into(),
            ..Drill::default()
        })?;

        // More hazard reports, so the register shows every state on `today`: one closed three
        // days late, and one due in two days (no explicit due date: found + 15 days).
        let late_found = self.days_ago(50);
        self.save(HazardReport {
            hazard_site_id: Some(site_ids[0].clone()),
            found_on: late_found,
            found_by: reservoir_monitor.name.clone(),
            source: "unannounced-inspection".into(),
            description: "青石水库溢洪道有杂物堵塞，坝脚渗水点未设观测标记".into(),
            due_on: late_found.checked_add_days(Days::new(15)),
            closed_on: Some(self.days_ago(32)),
            fix_note: "已清理溢洪道，坝脚设渗水观测桩，监测员每日记录".into(),
            ..HazardReport::default()
        })?;
        self.save(HazardReport {
            hazard_site_id: None,
            found_on: self.days_ago(13),
            found_by: grids[grid_count - 1].1[0].name.clone(),
            source: "villager".into(),
            description: "村民反映村东山塘边护栏缺失，放学儿童常在塘边玩耍".into(),
            ..HazardReport::default()
        })?;

        // Drills: one this year whatever the date (a geological drill), one forest-fire drill
        // more than a year ago.
        let new_year = NaiveDate::from_ymd_opt(this_year, 1, 1).unwrap_or(self.options.today);
        self.save(Drill {
            date: self.days_ago(20).max(new_year),
            kind: "single".into(),
            hazard: Some(HazardKind::Geological),
            participants: Some(42),
            problems: "5 组两户转移用时超过 15 分钟；一名卧床老人需担架，帮扶人未带".into(),
            note: "后山滑坡点转移避险专项演练".into(),
            ..Drill::default()
        })?;
        self.save(Drill {
            date: self.days_ago(400),
            kind: "single".into(),
            hazard: Some(HazardKind::ForestFire),
            participants: Some(35),
            problems: "风力灭火机一台无法启动".into(),
            note: "后山林区初起火扑救演练".into(),
            ..Drill::default()
        })?;

        self.education(&roll, grid_count, &officer, &slope_monitor, new_year)?;

        Ok(DemoSummary {
            village: village.name,
            households,
            residents,
            vulnerable,
        })
    }

    /// Education sessions (预案宣传教育) with their sign-ins, so that the share taught within 3
    /// years is partly there: this year's flood-plan session in the first two grids (most
    /// households signed in as a whole, some heads alone), a geological session in the third grid
    /// a year and more ago (adults one by one), one in the other grids more than 3 years ago
    /// (which no longer counts) and one planned for after today.
    fn education(
        &mut self,
        roll: &[RollEntry],
        grid_count: usize,
        officer: &Person,
        slope_monitor: &Person,
        new_year: NaiveDate,
    ) -> Result<()> {
        let flood = self.save(EducationSession {
            date: self.days_ago(30).max(new_year),
            topic: "防汛防台预案宣讲".into(),
            hazard: Some(HazardKind::Flood),
            taught_by: officer.name.clone(),
            place: "村文化礼堂".into(),
            note: "讲解预警信号、转移路线和安置点，发放避险明白卡".into(),
            ..EducationSession::default()
        })?;
        let geological = self.save(EducationSession {
            date: self.days_ago(420),
            topic: "地质灾害避险转移知识宣讲".into(),
            hazard: Some(HazardKind::Geological),
            taught_by: slope_monitor.name.clone(),
            place: "5组村民活动室".into(),
            ..EducationSession::default()
        })?;
        let old = self.save(EducationSession {
            date: self.days_ago(1200),
            topic: "防汛防台预案进村入户宣传".into(),
            hazard: Some(HazardKind::Flood),
            taught_by: officer.name.clone(),
            place: "入户宣传".into(),
            note: "已超过 3 年，需重新宣传".into(),
            ..EducationSession::default()
        })?;
        let planned_on = self
            .options
            .today
            .checked_add_days(Days::new(10))
            .unwrap_or(self.options.today);
        self.save(EducationSession {
            date: planned_on,
            topic: "森林防火知识宣传".into(),
            hazard: Some(HazardKind::ForestFire),
            taught_by: officer.name.clone(),
            place: "村文化礼堂".into(),
            note: "计划中：请网格员提前通知".into(),
            ..EducationSession::default()
        })?;
        let third = 2.min(grid_count - 1);
        for (household, grid, members) in roll {
            let sign_ins: Vec<(&str, Option<String>, Option<String>)> = if *grid < 2 {
                if self.rng.chance(75) {
                    vec![(flood.id.as_str(), None, Some(household.clone()))]
                } else if self.rng.chance(40) {
                    vec![(flood.id.as_str(), Some(members[0].0.clone()), None)]
                } else {
                    vec![]
                }
            } else if *grid == third {
                let mut out = Vec::new();
                for (resident, age) in members {
                    if *age >= 16 && self.rng.chance(60) {
                        out.push((geological.id.as_str(), Some(resident.clone()), None));
                    }
                }
                out
            } else if *grid <= 5 && self.rng.chance(80) {
                vec![(old.id.as_str(), None, Some(household.clone()))]
            } else {
                vec![]
            };
            for (session, resident_id, household_id) in sign_ins {
                self.save(EducationAttendance {
                    session_id: session.to_string(),
                    resident_id,
                    household_id,
                    ..EducationAttendance::default()
                })?;
            }
        }
        Ok(())
    }

    fn steps(
        &mut self,
        plan_id: &str,
        steps: &[(PlanPhase, Option<&str>, &str, &str, &str)],
    ) -> Result<()> {
        for (i, (phase, level, who, what, how)) in steps.iter().enumerate() {
            self.save(PlanStep {
                plan_id: plan_id.into(),
                phase: *phase,
                position: i as i64,
                warning_level: level.map(str::to_string),
                who: (*who).into(),
                what: (*what).into(),
                how: (*how).into(),
                ..PlanStep::default()
            })?;
        }
        Ok(())
    }
}
