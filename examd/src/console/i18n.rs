//! Console text: Chinese first, English on request (`?lang=en`, remembered in a cookie).

/// The two languages of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 中文 (default).
    Zh,
    /// English.
    En,
}

impl Lang {
    /// `zh` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// Declares an area page's own texts: an enum of keys (`$enum`), a lookup `$lookup(lang, key)` and a private
/// `table()` giving every text as `key: [zh, en]` JSON for the page's script (some keys are used only there).
macro_rules! page_texts {
    ($enum:ident, $lookup:ident; $($key:ident => $zh:literal, $en:literal;)*) => {
        /// This page's own texts.
        #[derive(Debug, Clone, Copy)]
        #[allow(non_camel_case_types, missing_docs, dead_code)]
        pub enum $enum { $($key,)* }

        /// One of this page's texts in a language.
        pub fn $lookup(lang: $crate::console::Lang, key: $enum) -> &'static str {
            use $crate::console::Lang;
            match (key, lang) {
                $(($enum::$key, Lang::Zh) => $zh, ($enum::$key, Lang::En) => $en,)*
            }
        }

        /// Every text as `key: [zh, en]` JSON for the script.
        fn table() -> String {
            let mut s = String::from("{");
            $(s.push_str(&format!("\"{}\":[\"{}\",\"{}\"],", stringify!($key), $zh, $en));)*
            s.pop();
            s.push('}');
            s
        }
    };
}
pub(crate) use page_texts;

macro_rules! texts {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// Every piece of console text.
        #[derive(Debug, Clone, Copy)]
        #[allow(non_camel_case_types, missing_docs)]
        pub enum T { $($key,)* }

        /// The text in a language.
        pub fn t(lang: Lang, key: T) -> &'static str {
            match (key, lang) {
                $((T::$key, Lang::Zh) => $zh, (T::$key, Lang::En) => $en,)*
            }
        }
    };
}

texts! {
    title => "考场管理系统", "Exam site console";
    login => "登录", "Log in";
    logout => "退出", "Log out";
    user_name => "用户名", "User name";
    password => "密码", "Password";
    login_failed => "用户名或密码错误", "Wrong user name or password";
    overview => "总览", "Overview";
    events => "事件流", "Event stream";
    gate => "门禁", "Gate";
    theory => "理论考试", "Theory";
    driving => "驾驶考试", "Driving";
    booking => "预约抽签", "Booking";
    upload => "上传", "Upload";
    devices => "设备", "Devices";
    watchlist => "黑名单", "Watch-list";
    audit => "审计", "Audit";
    site => "考场", "Site";
    backend => "数据库", "Database";
    last_seq => "最新序号", "Last seq";
    head => "链头哈希", "Chain head";
    key_id => "签名密钥", "Signing key";
    kind_counts => "各类事件数", "Events by kind";
    kind => "类型", "Kind";
    count => "数量", "Count";
    seq => "序号", "Seq";
    time => "时间", "Time";
    subjects => "对象", "Subjects";
    payload => "内容", "Payload";
    live => "实时", "Live";
    paused => "已暂停", "Paused";
    pause => "暂停", "Pause";
    resume => "继续", "Resume";
    verify => "校验日志", "Verify log";
    verify_ok => "日志完整，签名有效", "Log intact, signatures valid";
    verify_bad => "日志校验失败", "Log verification failed";
    export => "导出审计文件", "Export audit file";
    checkpoints => "签名检查点", "Signed checkpoints";
    tree_size => "事件数", "Tree size";
    not_yet => "本功能区尚未接入设备或考试数据；相关事件将在此显示。", "This area has no devices or exams connected yet; its events will appear here.";
    forbidden => "当前角色无权查看此页面。", "Your role may not view this page.";
    role => "角色", "Role";
    related_events => "相关事件", "Related events";
    language => "English", "中文";
    central => "中心平台", "Central platform";
    acked => "已确认序号", "Acknowledged up to";
    backlog => "待上传", "Backlog";
    last_error => "最近错误", "Last error";
    upload_off => "未配置中心平台地址（central_url），本考场不上传。", "No central_url is configured: this site does not upload.";
}
