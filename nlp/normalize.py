"""Text normalisation for matching (first NLU component).

`normalize(text)` returns two strings of the same length:

* ``orig`` — the user's text after per-character NFKC (full-width digits and
  punctuation become ASCII); slot text is cut from it, so slots keep the
  user's own characters (traditional, English case).
* ``norm`` — ``orig`` lower-cased, traditional characters mapped to simplified
  ones and a few common typing slips fixed; every rule matches on it.

Both mappings are one character to one character, so a span found in ``norm``
is the same span in ``orig``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Traditional → simplified, only characters people in this domain type.
_T2S_PAIRS = (
    "訂订 會会 議议 週周 兩两 點点 車车 個个 請请 維维 修修 申申 駁驳 準准 "
    "印印 表表 機机 處处 電电 腦脑 話话 問问 題题 開开 關关 燈灯 壞坏 漏漏 "
    "調调 氣气 號号 樓楼 時时 間间 後后 麼么 這这 還还 沒没 預预 約约 廳厅 "
    "禮礼 體体 館馆 廁厕 衛卫 辦办 們们 來来 過过 說说 對对 場场 報报 審审 "
    "批批 覆复 複复 準准 與与 從从 於于 爲为 為为 務务 員员 動动 長长 東东 "
    "車车 輛辆 師师 傅傅 廠厂 廣广 區区 縣县 鎮镇 市市 鐵铁 站站 場场 "
    "飛飞 橋桥 濱滨 灣湾 邊边 頭头 層层 樓楼 門门 窗窗 櫃柜 張张 燈灯 "
    "線线 網网 絡络 斷断 壞坏 響响 聲声 熱热 涼凉 風风 冷冷 暖暖 滴滴 "
    "龍龙 廚厨 餐餐 飯饭 廳厅 嗎吗 呢呢 給给 讓让 幫帮 忙忙 謝谢 麻麻 煩烦 "
    "將将 滿满 醫医 院院 學学 黨党 校校 政政 府府 檢检 察察 處处 驗验 "
    "華华 陽阳 興兴 寧宁 蘇苏 楊杨 閔闵 寶宝 嘉嘉 奉奉 賢贤 靜静 黃黄 "
    "淨净 浦浦 崗岗 擊击 號号 單单 據据 錄录 據据 證证 簽签 筆笔 記记 "
    "駛驶 載载 送送 接接 達达 運运 園园 圖图 書书 館馆 廈厦 層层 間间 "
    "傳传 真真 腦脑 鍵键 盤盘 螢萤 幕幕 視视 頻频 聽听 麥麦 貼贴 費费 "
    "換换 燒烧 煙烟 焦焦 糊糊 閘闸 插插 座座 鎖锁 壁壁 紙纸 卡卡 墨墨 "
    "歡欢 迎迎 嗨嗨 謝谢 幾几 鐘钟 兩两 半半 刻刻 晚晚 早早 午午 禮礼 拜拜 "
    "撤撤 銷销 廢废 消消 取取 緊紧 急急 題题 辯辩 討讨 論论 預预 備备 "
    "遲迟 選选 擇择 無无 須须 應应 該该 認认 為为 舊旧 專专 業业 處处 "
    "導导 領领 陸陆 續续 團团 隊队 組组 參参 訪访 賓宾 館馆 顧顾 準准 "
    "劃划 灣湾 億亿 萬万 絕绝 拒拒 駁驳 退退 回回 否否 決决 予予 "
    "綜综 總总 產产 環环 節节 衝冲 馬马 潔洁 雙双 盞盏 頂顶 牆墙 磚砖 鏡镜 簾帘 戶户 溫温 濕湿 "
    "圍围 欄栏 桿杆 錶表 貨货 訊讯 碼码 驅驱 統统 軟软 庫库 檔档 閱阅 覽览 啟启 進进 覺觉 聯联 "
    "繫系 係系 況况 狀状 態态 詢询 錯错 誤误 見见 裡里 裏里 髒脏 亂乱 壓压 墊垫 爐炉 濾滤 飲饮 "
    "鑰钥 匙匙 損损 壞坏 噪噪 異异 常常 響响 黴霉 斷断 鬆松 脫脱 落落 塊块 隻只 條条 輪轮 胎胎 "
    "剎刹 煞煞 擋挡 發发 動动 啓启 準准 頁页 憑凭 賬账 貴贵 們们 麼么 嗎吗 囉啰 喔喔 "
)
_T2S: dict[str, str] = {}
for _pair in _T2S_PAIRS.split():
    if len(_pair) == 2 and _pair[0] != _pair[1]:
        _T2S[_pair[0]] = _pair[1]

# Slips of the pinyin keyboard seen in this domain (same length, so spans hold).
_TYPOS: tuple[tuple[str, str], ...] = (
    ("越个车", "约个车"),
    ("越辆车", "约辆车"),
    ("电恼", "电脑"),
    ("保修", "报修"),
    ("报休", "报修"),
    ("会仪室", "会议室"),
    ("派扯", "派车"),
)

MAX_CHARS = 500
"""Only the first MAX_CHARS characters are analysed: keeps every parse bounded."""


@dataclass(frozen=True, slots=True)
class Text:
    """The user's text for slot cutting and its normalised twin for matching."""

    orig: str
    norm: str


_T2S_TABLE = {ord(k): v for k, v in _T2S.items()}
_CONTROL_TABLE = {c: " " for c in (*range(0x20), 0x7F)}


def _nfkc_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def normalize(text: str) -> Text:
    """Normalise `text` (capped to MAX_CHARS) into an `orig`/`norm` pair of equal length."""
    raw = text[:MAX_CHARS].translate(_CONTROL_TABLE)  # control characters separate words
    orig = unicodedata.normalize("NFKC", raw)
    if len(orig) != len(raw):  # a character expanded (㎡, ﬁ): fold one by one, keep lengths
        orig = "".join(_nfkc_char(c) for c in raw)
    norm = orig.translate(_T2S_TABLE)
    low = norm.lower()
    norm = low if len(low) == len(norm) else "".join(c if len(c.lower()) != 1 else c.lower() for c in norm)
    for wrong, right in _TYPOS:
        if wrong in norm:
            norm = norm.replace(wrong, right)
    return Text(orig=orig, norm=norm)
