from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "inbox_beat" (
    "owner" VARCHAR(64) NOT NULL PRIMARY KEY,
    "beat_at" DOUBLE PRECISION NOT NULL
);
COMMENT ON TABLE "inbox_beat" IS 'A process''s heartbeat: its rows are its own while `beat_at` is fresh.';
        CREATE TABLE IF NOT EXISTS "inbox" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "key" VARCHAR(191) NOT NULL UNIQUE,
    "user_id" VARCHAR(64) NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" DOUBLE PRECISION NOT NULL,
    "state" VARCHAR(12) NOT NULL,
    "owner" VARCHAR(64),
    "attempts" INT NOT NULL,
    "done_at" DOUBLE PRECISION,
    "reply" JSONB,
    "reply_sent" BOOL NOT NULL,
    "waiting_told" BOOL NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_inbox_state_b7c970" ON "inbox" ("state", "owner");
CREATE INDEX IF NOT EXISTS "idx_inbox_user_id_55f23b" ON "inbox" ("user_id", "id");
COMMENT ON COLUMN "inbox"."state" IS 'PENDING: pending\nPROCESSING: processing\nEFFECTED: effected\nDONE: done';
        ALTER TABLE "audit_log" ADD "inbox_id" BIGINT;
        DROP TABLE IF EXISTS "inbound_seen";
        CREATE INDEX IF NOT EXISTS "idx_audit_log_inbox_i_9d0525" ON "audit_log" ("inbox_id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_audit_log_inbox_i_9d0525";
        ALTER TABLE "audit_log" DROP COLUMN "inbox_id";
        DROP TABLE IF EXISTS "inbox_beat";
        DROP TABLE IF EXISTS "inbox";"""


MODELS_STATE = (
    "eJztXWtz2ry2/isavux0hjcnkCZN6ZkzQxKnZZdANpD23bt0jGKL4B0jU1+S5uzz/vezJF"
    "/wFWwwxHH8pQ2Slmw/S1o3LUn/qc01majGYXux0LVHrA4sldRa6D81iufsj9j6OqrhxWJZ"
    "ywpMfMcpWQ1vKepu0zvD1LFkQuUUqwaBIpkYkq4sTEWjjGQ0I0jTZaITGemaSgxkzrCJ7J"
    "4IwkgnvyximMh8XpBP6MdPNCeYGohqyH0aMkyyOGSPkzUJnqfQ+9x7tqgCjUVTuyfmjOjQ"
    "/4+fUKxQmfwmhvtz8SBOFaLKARSdx4jsMawr3sL+BbUXM6wL1JpfsdIONUxMJd5MvhMlTb"
    "XmNK6PxbM506jXCXw0K70nlOjYJLIPbmqpqsMet8j+FigwdYt4HyEvC2QyxZbKmMao7XdZ"
    "ltVEsdcfiUNhJIq1KEO/CV86F11BPO/3v3Z6n1vokcwUSSXinaY9AGvG9Kp90el2Rv8UB8"
    "JQGHxrjzr9Hns7SVEV81nUiUH0R8z6G9OBcNPuDKDlP26F4agFPFtgRRcdPMI8d15X0igb"
    "dgo1Dc6JOf4tqoTemzP4edz8y/6iJR/sVvzl24OLL+3BwXHzHetbg7Frj+yeU9PkVX/xLr"
    "CJ7U44/30MZ4Mtyum/D/s9zuUod12CEFtlRTLR/yFVsb80K3vdgiV/l3PQY+Z/Ty0qMazR"
    "naWopkKNQ/a8/6llY7s7UNYyYwX4DCDW89wwfql+0A+u23+G+XHR7Z9zyDTDvNd5L7yDc2"
    "AOm4rTBx9vWMEdlh6esC6LkRqtqSW1jVbNm/NwCab4nsPLvph9nyM3L2Gs6uacUDNOqvpq"
    "V8pUOdhunUBNZsQWIkyRo8O5Q8340Ww3Dg1lhW40hHchoVIPVXhb+O+PZuP9h/dnx6fvz6"
    "AJf02v5MOK0dzpjdbICf5/rEKIB9Ztn4/wTyMddgluQCg3jo5SSGVolSiWeR3De4kvzBuY"
    "NWKmwRug2WgMOyO0MDjnMIgj8jSMcRTgK00nyj39Sp4jhk0I1Vhx+Low/ssdRW7p8hV1/O"
    "TJ0+DgAgjgw4nJQQBLaDToXADYyapqCbo0U1QZuorCfu5QXn0dEJWbUG8L8cD8t8COjLHD"
    "smB0C128QuGaCM8uzZ0rx4CPM3a8upWmztTfaq3n2EbMo2C0aKFiiRyi/oJQgAXNNEs3EE"
    "w2pGoSeHF3lqFQYoADqMwJOpicA8SjzrXwr35PmLxDD2QBbqERcSDzfsCYjmtfvrSur8c1"
    "ZJLfZgt8UNYK2eoHPWmWKiNZx/dopOmmphjkbwa6HV1AA/oIY5lZ6cBM8E/RE1bVPyR4+s"
    "OYgqNqkW291DgtmWyKxOrHAnmhG5ohu/cNK5vPA/v0fQqwT98ngs2qggbfNhGWfCMruwG6"
    "di0Io07vszjo969baE4I+Ov3oq5p8zFt3152Rv1B5xZqsCUrpqYr1pxFUC6EGxZicah0Ih"
    "HeoUP3+Z9QeP8Mf120eyNBcNtJmJqE2K1eMs6yZC8LUMjsBTLMHz9NkVlbmDkk4QVoYVsH"
    "p/SZ/CT5uP0vjXEujr9P6BMiG6IbVI6xSDVNJZgmaIAIcQhjMFLUXYHslew3Enje73cDkc"
    "Dzzig0hG+vz4XBQYOPbGik2H5UFHsNTDZxqtsyLK3UCBCVUGycpJAaJ4lC4yQsMzhcppYZ"
    "YZukwncdvuAGKY8xls1KubEk2qO8cE33VyUuMiwXRFb1towvDJbrWCUJwOwywsCjMTHRBT"
    "dKkxxZsNwWKaIKczK/IzrSpgh8aHDtdYKtQzRhXSjyBCkGL/9OLrQ5sgvRASuh2LR0rIK3"
    "//wuuhqdY79FW8hxhmZxffwdr+PYzMqi/ZYUpQuh5O+RVCGTHYJbmRZ780SWC/nZliQjdJ"
    "WPvX5dMpg1sc+1yaIBnXZxMjLMtligZAlNoqrQhxyW3waanUpYEtgDIsFJjdsSpW92LyVy"
    "IgIays0pZbmYWyLlZrIOoauyjql9O6avEiRsGKABSIwaftvee8Be0cHI2zLHpHwI7Tq+wd"
    "VdQozDVYWr4xyi7jZbG+zoU8JT41lQQoO/GTnLSuD9IeDWjOgsa55CGUuu5anIyNDsTHoe"
    "ujDEJ8Wc8WdOIkGPnPsfU8VAmOVA8DGBYKToz4ilLmvmDDH//A4bxEgKkvzwwkAcoZ9V0O"
    "QFgybuIN1oN4RDuysPP49tEMNR++qqheALptMxvRRuRuIXoX3ZQmBnm+KMYHlMr7oCUF+3"
    "e+3PwgBeRCXEFG3poAPNoPONFXM5rHtbIS47w5v26OILq3J2Q8iKscCmNPO1+t4ffPW1eN"
    "L0B1brbb1oX153/JsusDxX6Jg6xfxXMRb9uUTLNAN9FJWnvN5TdmXilj5yyTIl6yHv2Deo"
    "An7xRXt40b4UVrnFu7QYXNcvxmDweYXJ9sKjr1F5dpa8dd26ALM8U8jcIyjdckTjNM2+kt"
    "PkbSWnYYXEZ1EWcD2CakEixYKEQXBc7GI4x6qaKBg8ojIp/OPmh1NPMrAfq4TC8Lrd7UbX"
    "HBQqss20ipR1iSdIWC3zZFjm4eZ6xiUeP02162z96g7Ha39Wa8HQTb2k4x9WAbMV3gD1br"
    "vdlMs5Va7T3mOBfcu8035fE8PA97H2fbDBSitf403Fua/tLo39H2DaYNPi70DJb1PEpknm"
    "C/Z/DZr+8DtTTsufmRyEc+X+rfgIH5vN4+MPzaPj07OT9x8+nJwdeaI0WrVKpp53PjOxGt"
    "Bp6VKbYlXZ6tymeE1WGbxxBu8DfNemgVCXtshA10bCn6MW3/A4puzvi/bg0v4tgZQc0+v2"
    "4Otl/3uvheZYf5C1J8raXd902yNBdBvPuYsq2hSsULy9uYQGbJ8SiFprITse7Ms7iPA4Mz"
    "bvJPkAGB/J/o+A2b3mjIM2t8NeAnOJxOxbShZVTvONZk/YRilSzONjI82Y/thIHtSsLuSX"
    "eyp9E0G1pN6fqKotCHW3/mWRVzdC75IfXOXQj+lQ6IEEM2CGspUcexEHy5tIm7MUjDlLZM"
    "tZJHvTNqxi2JJoH/lJ9hctOdqtlZTjTr2guRrB9RKAYZv8k/bqRcjD8tyhP3T/KJdUZ8cZ"
    "DEft65uAaGeKmtU0eelzqPQgrFy9TtD3zuiLfUQCO0khrAG8dqN/1dg7YcvURKo9iVj2Y+"
    "IWu0UBhrMTFIgs3mXSGwGiXLRHoWzcRjONmIJWyfqjGRFVDmYWNZWY6PnqaRWmzWFOFYwB"
    "ZZpSkk4Y7huIzyBlJTkLzWZmDm3AYx9ZNY2LzF8VG6ZIdF2LibOPwM5JENUBqjLoxlU8Ff"
    "4crfZhPZZ2+73PbvOwY1uYA0sD6fErDoJ20+dTHARtuE1zDTj/qPkOADbIr0gu5w/nDbxQ"
    "pEwkhZ2flTHS/FbCzDtLRWHMiaC6bjH/136d09exlJ+cMBsP466TZF/QQck/y9QTDxkA9t"
    "OUQdHtNFIlafP4zZjJpoSPpAzw7sOOCA9peSM3LEhZWelFttKlGaY0Wz6ij6QM82rXy3k6"
    "mbMv22QihUirmVTkmQQIYHXDwFWYtuJ0kTkdcg3TLpwFqcrknuS2fOZeU5QJ2CBRhev69F"
    "df8GPL/NfybfOvh3Jgg6Mrfu9WnHDIAdySb4kLCcTMx8XsMpLpjuuYIKZvyCfHL30zbMep"
    "svAOqsLO2t4mIbYKU24ZpuTQRGAt0cnxb+VWvteTsBaZPvnlq7Vvbgb9b8Jly73sUmYs+7"
    "twMWJlOvk3kUzC82h7F0K3ywolhoKqstL2cNj53OPUzik5Y9rpidDlZxgawxZSqAi9Movc"
    "gD761zddgXcsafMFUwAbZcbl77gHDjSLderSHbkX79O9XcM0NMn07CkALlHlJhfZTSZx+x"
    "LWxEFityNUfC0UX2ViYkXNdEGtj6QYV9Syx77qK2qDmVS6EncGZHIIf0mxowj+67+Cyxct"
    "wWbspUGrsxCWVCXaj51HHkKV3vkmtIS9o24TNgcpKzYXms3u0XHiFsucSX1UZmCROS/NiP"
    "QArjw2HjaT5jH0FccLz3HgFWPaZuz2E1e8LjKveR6+pd9vNLUjxBWvi8zr8BJS+oSGAFkV"
    "4IwJcDohcJIR2iBViTzI3ICtjknbAajeal22I3tCZOXLCs0/qOQun2Yav0GiagCvTXTyVF"
    "QU5CobJ5KNE9DmCek4MWM4B2xLdwNRGN3gzE2BbXVCZSpck0+ojIfV1VQ5AHvl66qc4IbU"
    "egp4Xbu1GrfrpG3QwN/iqrzqVrMkzAMjc6Yx5LaC6Ytmm2RlhAdbshJjJGUaRayLrnZfnk"
    "m70/N5+WiKSS92R1lybvHMbZHiLnKdGJqlSwQ9kIWJppqOfvDsqToiVH6H7p4RRiqoUOSk"
    "XrbQxDFVWo3mpI4mtoJt/e8Ma8ZMmVqTei2E6W6eMqYTV/205vofx0eNScq7y9nZDvbrcJ"
    "C8q4btrLGf7PzgcGHdyzzySKv86f3e5uVjWeoDCnw0Rc6d3jDmcHaUZgf9UfIW+qOYjOaX"
    "TbYsGuBlCuK/aLZlxdgdrs54yipkm626fmVJVF29kv7qlWr7abX9tGCBgjTbT19qi6Rtfn"
    "U16aEWu0/SV19fvVnSbimqbtOUFw8/oQXRPe/jE7vJd/iPLkzvOuJJhMAApIBDoujsVmCi"
    "K1hVDGIgZ8+agQ5ubGENVBG3Jv9HjKlOVAUqoRPFNBD5LakWOwEKLYcBUuAvguV3Kb2dRD"
    "dlj0fZF8xV2YkVney6gOMaf/LXimU8PeHcrzd6gnpEV7yMROMRrC/sZP64syu9ypWyjAfS"
    "+PXM6QTZaEaQNAM0/2bwG84ZJRc7B4qMGu9g6kADlk+FJgb5NUH3YNZRpFkmwlS2rznXia"
    "TpMtDPsDE7jMix3J8wpsIjuzfdIFi1hSCINFcG1tnt66zGQFgnS4koowPMn8pkPBOAS7FY"
    "Z28wpk86SFWv2hay75x3cL4AUQJPZgGmB+MTeyQ8Bp42054M5x3Z/3O2YRVNdW0+powU3J"
    "xthWmcQbh6+0ee1mARIj+b7/zIeLbnqru59n6y546F5l4u5wrldLIpnMUwCBDt8fKV2l7M"
    "g3yu4yqS/mIrMEnqy1mdWae9VKfZWuX1faYhGbTIEyiJOvxLaJ3LXfhTkWbIOSgwUGafi4"
    "BMzfk9tppHjfdcMakKBdE/RTiiwnb0nDFl49pRLQdj6+So0Rxbpx/Iydg6m05l+FduHoOG"
    "nLB2E6QYoGtw8+QUsWNruFoCjQZqUcJUo4oE6pBtz6w7j1QomPeA2JjaivWgUUfNOjqu85"
    "dpnqInBWYT6Nl7vDBsTTdZ6OSRz7YJ14pc4bJ3tbUb19DoD9SYHKI2e/aYsm+HwYDw1CQ6"
    "G0IGohpoUSjU0ZztquHK2Vbdn5Ctg10dqRL8CNWYvQG8rm0AfIL3tec50Cv0cPGM+LBA8M"
    "3K9Bm+wx44/2UPFo4eNHoH+p/C09lb294QvDZRmKYFi2FM2+43AIpM1ZtgZDAA+MvZX8Eh"
    "gLe3XwNNnKHrfw6zLCacg9zkgEmt2UreZqJGJcKOkZiz/sHkYA+AYgx2CIgBmX0ja8xOIi"
    "H61i5WdbXkS14tCZIp7mqBZE3mEZRwsSj/ayWxZMZ6tSvx3eY062IDnH8GMFNW4qpDhhJy"
    "rYNk5cu1zv8gH1PbAOcAUYXyepRf4CTpYouM/CHOvhOv2kP/ClZ4qwN1Cnegzh4DU8W6CP"
    "hFAlOe15tFeQSIyqeg87foswJcYZseW4Xeab9j80ZWBgR8VDvazVd+4fFSSTtFG+Hly9kp"
    "GMI5pOy89LHmHSZwzgmOPdh8WVlftUZgC607t12KTQgLXZOIYbD1Y4J1k5G2eNhXZwu3bJ"
    "mY/dCeKAucqwRNWAsRmzziPgU7LWZVO7det4j/Qt9xWzSTNapHULo0m7w0anK41+FejABS"
    "NZwg5X00IcSnjKhcbu9l//a8K6CbgXDRGXYcr8jzc3klK1rmvw6Edrc4i5dc+lzDhMZckc"
    "VLJ7d+vYBKJZuSYU+zzYiFB/mr2NOa7yyyDG83MvybbRNRtXS0r6WjKjfSDlB+bKSJUH5s"
    "JIcoWV3QHPfNgLT4+khKGAbO39lc4GdQXzEQJ8cLfST7jxe+jD7cSWRQJxJRHhMOxVthiY"
    "ToKmskyRoJ38Cy8a06HvEec9Zyu4DlZtC/EIZDu9D2c3i5cHXlXMJCplPnEpbLfk9oIVmj"
    "JOwkpdIBada1G8nr2o3IuvaevaKCBQl2npZhmmS+MGMWi5IPE/SRlCZ1Nr9zBGHiZJXmPp"
    "oNJXnBRu2OBblOFmqMxZ1srngEWxkrrwfkHdkqAKJokLjT71ZuHg4S7nEDsVfyancQP2GF"
    "bQkUTeeMlgyoh0kr3NfgXpDAVZvoijSrxeXc2zX1lRn3yza7jFZlCkS9lSjUzk6zSdwSmm"
    "wEJ+8JLUMMpHlyksIQhlaJljCvC5nCi0UWhJ3mJUS3cZRmkzO0SvbijiKHBcETzVjTIdlq"
    "85FUQaaMhtuLKrO//h8moS7P"
)
