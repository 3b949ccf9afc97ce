//! A realistic sample card (a fictional village, flood season), shared by the
//! integration tests, the bench and the example.
#![allow(dead_code)]

use chrono::NaiveDate;
use cunan_core::card::{CardLine, CardPhase, CardStep, ResponseCard};

fn line(label: &str, value: &str) -> CardLine {
    CardLine {
        label: label.to_owned(),
        value: value.to_owned(),
    }
}

fn step(who: &str, what: &str, how: &str) -> CardStep {
    CardStep {
        who: who.to_owned(),
        what: what.to_owned(),
        how: how.to_owned(),
    }
}

fn phase(name: &str, steps: Vec<CardStep>) -> CardPhase {
    CardPhase {
        name: name.to_owned(),
        steps,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The flood card of 青石村: 5 phases, 6 items, 2 shelters, 2 routes,
/// 6 kit lines, 8 phones.
pub fn flood_card() -> ResponseCard {
    ResponseCard {
        village_name: "青石村".into(),
        village_code: "330502102213".into(),
        place_line: "浙江省湖州市吴兴区 八里店镇".into(),
        hazard_label: "防汛防台".into(),
        warning_signal: "鸣锣三长声 + 村应急广播 + 手摇报警器".into(),
        warning_giver: "李建国（预警员）138****1234".into(),
        phases: vec![
            phase(
                "预警发布",
                vec![
                    step(
                        "预警员 李建国",
                        "接收县、镇预警信息并核实",
                        "收到暴雨、台风预警后10分钟内报告村责任人，记录时间和内容",
                    ),
                    step(
                        "村责任人 张建华",
                        "决定发布村级预警",
                        "鸣锣三长声，村应急广播连续播报3遍，村民微信群同步通知",
                    ),
                    step(
                        "网格员（5名）",
                        "入户通知到人",
                        "按网格包户到人，重点通知独居老人、残疾人和低洼户",
                    ),
                ],
            ),
            phase(
                "先期处置",
                vec![
                    step(
                        "巡查员 王小明",
                        "巡查山塘、河道和地质灾害隐患点",
                        "每2小时巡查一次，发现险情立即报告，设置警示标志",
                    ),
                    step(
                        "村民兵应急分队",
                        "检查物资，值守关键点",
                        "检查发电机、冲锋舟和沙袋，在桥头、低洼路口设岗",
                    ),
                ],
            ),
            phase(
                "转移避险",
                vec![
                    step(
                        "网格员",
                        "组织危险区群众转移",
                        "按转移路线带到安置点，逐户清点，做到“不漏一户、不落一人”",
                    ),
                    step(
                        "村医 陈丽",
                        "照顾老弱病残孕",
                        "优先转移行动不便人员，备好常用药品",
                    ),
                    step(
                        "安置点管理员 王芳",
                        "安置点登记与生活保障",
                        "登记人数，发放食品、饮用水和被褥，安排夜间值班",
                    ),
                    step(
                        "民兵",
                        "劝返与封控",
                        "转移后在危险区入口设卡，严防群众擅自返回",
                    ),
                ],
            ),
            phase(
                "信息报告",
                vec![
                    step(
                        "信息员 赵敏",
                        "报告灾情、险情和转移情况",
                        "每2小时向镇防汛办报告一次（0572-2698810），有人员伤亡立即报告",
                    ),
                    step(
                        "村责任人",
                        "请求支援",
                        "险情超出村处置能力时，立即拨打县应急管理局值班电话0572-2123456",
                    ),
                ],
            ),
            phase(
                "灾后恢复",
                vec![
                    step(
                        "村两委",
                        "组织有序返回",
                        "险情解除、经镇里同意后分批返回，先查房屋安全",
                    ),
                    step(
                        "村医、保洁员",
                        "环境消杀",
                        "清理淤泥垃圾，对饮用水源和低洼处消毒",
                    ),
                    step(
                        "信息员",
                        "统计损失",
                        "3日内统计受灾户和损失情况，上报镇政府",
                    ),
                ],
            ),
        ],
        six_items: vec![
            line("责任人", "张建华（村党支部书记）138****5678"),
            line("监测人", "王小明（巡查员）139****2468"),
            line("信息员", "赵敏（村文书）137****1357"),
            line("预警信号", "鸣锣三长声 + 村应急广播"),
            line("转移路线", "沿青石溪东岸村道往北至村文化礼堂（约800米）"),
            line("安置点", "村文化礼堂、青石小学"),
        ],
        shelters: strings(&[
            "村文化礼堂（容纳300人，管理员 王芳 139****0000）",
            "青石小学教学楼二层（容纳200人，管理员 刘强 135****6789）",
        ]),
        routes: strings(&[
            "溪东片：沿青石溪东岸村道往北，经石桥至村文化礼堂，约800米，步行15分钟",
            "山脚片：沿后山机耕路往西，避开山塘下游，至青石小学，约1.2公里",
        ]),
        kit_lines: strings(&[
            "发电机 ×1：村委会仓库，保管人 张三",
            "冲锋舟 ×1、救生衣 ×20：村委会仓库",
            "沙袋 ×500：桥头物资点",
            "手摇报警器 ×2、铜锣 ×3：村委会值班室",
            "应急照明灯 ×10、雨衣雨靴 ×20：村委会仓库",
            "常用药品箱 ×1：村卫生室，保管人 陈丽",
        ]),
        phones: vec![
            line("县应急管理局值班", "0572-2123456"),
            line("镇防汛办", "0572-2698810"),
            line("村委会值班室", "0572-2651234"),
            line("村责任人 张建华", "138****5678"),
            line("预警员 李建国", "138****1234"),
            line("报警", "110"),
            line("火警", "119"),
            line("急救", "120"),
        ],
        printed_on: NaiveDate::from_ymd_opt(2025, 6, 1).expect("valid date"),
    }
}
