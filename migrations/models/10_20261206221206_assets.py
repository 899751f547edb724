from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "asset" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "tag" VARCHAR(32) NOT NULL UNIQUE,
    "category" VARCHAR(32) NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "location" VARCHAR(64) NOT NULL,
    "value" DECIMAL(12,2) NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "updated_at" TIMESTAMPTZ,
    "department_id" INT REFERENCES "department" ("id") ON DELETE RESTRICT,
    "held_by_id" INT REFERENCES "request" ("id") ON DELETE SET NULL,
    "keeper_id" INT REFERENCES "user" ("id") ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS "idx_asset_categor_15f724" ON "asset" ("category", "state", "held_by_id");
COMMENT ON COLUMN "asset"."state" IS 'IN_STOCK: in_stock\nISSUED: issued\nTRANSFERRING: transferring\nDISPOSED: disposed';
COMMENT ON TABLE "asset" IS 'One item of the register, by its tag number (资产编号).';
-- approval_rule.request_type: from an enum field to text (a type, or a type and a kind:
-- asset_request.disposal); the column stays VARCHAR(32), only its enum comment goes.
COMMENT ON COLUMN "approval_rule"."request_type" IS NULL;
        COMMENT ON COLUMN "user_role"."role" IS 'STAFF: staff\nDEPT_HEAD: dept_head\nFLEET_MANAGER: fleet_manager\nDRIVER: driver\nREPAIR_DISPATCHER: repair_dispatcher\nREPAIR_WORKER: repair_worker\nFACILITY_ADMIN: facility_admin\nASSET_MANAGER: asset_manager\nADMIN: admin';
        COMMENT ON COLUMN "request"."type" IS 'VEHICLE_BOOKING: vehicle_booking\nFACILITY_RESERVATION: facility_reservation\nREPAIR_REQUEST: repair_request\nASSET_REQUEST: asset_request';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        COMMENT ON COLUMN "user_role"."role" IS 'STAFF: staff\nDEPT_HEAD: dept_head\nFLEET_MANAGER: fleet_manager\nDRIVER: driver\nREPAIR_DISPATCHER: repair_dispatcher\nREPAIR_WORKER: repair_worker\nFACILITY_ADMIN: facility_admin\nADMIN: admin';
        COMMENT ON COLUMN "request"."type" IS 'VEHICLE_BOOKING: vehicle_booking\nFACILITY_RESERVATION: facility_reservation\nREPAIR_REQUEST: repair_request';
        DROP TABLE IF EXISTS "asset";"""


MODELS_STATE = (
    "eJztXet32rqy/1e0+LKTtWhOQh7tTu+665KEtJwmkAO0e59T9jKOLYJPjEz9SJp7bv/3Oy"
    "M/sPEDGww4jr+0wdLI8k/SzGhmNPpPbarJVDUOmvJUYS1ZMWvn5D81Jk4p/BEurJOaOJvN"
    "i/CBKd6rvLaI1QTq1rs3TF2UsMGxqBoUHsnUkHRlZioaw/pNomvPxJxQwinJTHygBpEmIn"
    "ugMtkbPSpMHpEnOlEkFcjHoqSoivlSJ7qlUqLpQK5S4yMZPdKXEVFM3htZk+C9CnvYyBuG"
    "bKaKpq8qUWSoTX9Y1DCJ+TLjVJZBdUXehw/XtSm+nhGN8W7IIqAlGpQoBjZHTN0yJ/UhE5"
    "lMGFWgik5GBqXQK6bhny9MGpFnXTGh39oTlCom2bOx/xvWO5hBb93fUBl+7xOLQa+hr6am"
    "ysTU4EOxKrlu37TIu3c6hW+Q6DscKGO0f4CoWUyBTxBM7YFiHwC7799riA4WwsfX/voL/o"
    "Df9Cc1sBR/zh6FsUJVOTBlFE7CnwuIBz5rM/OaV8TxuRckTbWmbF559mJONObVVhifPw+U"
    "UR2wxuYBJpw/zFJVZ7K5U8ru+LyK3UUfjUzHoqXiLERquwPzZzVB6HQHQr81EIRaaIa6FL"
    "4p5TySNIazG7pq8K9/wC68axydvD/5cHx28gGq8G56T97/sl89B8Ym5PB0BrVfvBxmh12D"
    "YzwH1R2JIKyXE1GPxtWtv4AsdHkRWRfHJGjdB3Ns5wt6G+BOxZ+CStmDOYGfR2cJSH5r9i"
    "4/N3t7R2f7+EIN+I/NmjpOSYMXIdg+cGF6Z8HWrl5CaM9OUkB7dhILLRYFoQX2r+lZwPUI"
    "KnjTwGuGsb0CeExlSmPwNSPAlR2SA/ePVwh1ArSD9m2rP2je3mHzU8P4oXKcmoMWljT405"
    "eFp3uLDMRrhPzRHnwm+JP8q9tpcTg1w3zQ+Rvn9Qb/qmGfRMvUBKY9C6Lsx8R97D76hfJ0"
    "/Ohj/vjgXpQen0VdFkIlWkOLqxsumjami09EBpqQ7KCJ/XQ1vdlM155EtWfxzw5rgv7yZG"
    "XQqSnobtWl+uBggtqTTHXQVbjiBSqTaBK7JVDhAnrWR/gSMqUiM0BTIu7biGHS2UFID8yt"
    "5SEbMmwMhACqcEHCOup+oq0FokKnMXjrmOt5KJAN0MNEw6Cm4BAdyIoBc0dUR/vnoALySu"
    "QZlEBslyugNrH2zPjL7N7K5B7ebda5PqmhtmbgE/yFb/7N4LQHpMm/dMim4gvBUbT1TzoT"
    "dXNKmYmKJDRqio+gnXI9dW8EpaYwoaL8P0fHo3NOgL+wHz7Co2NQWOnBwwGvcG/pVLTgrf"
    "zToOpYkeg+UWB1OqRc/Z7NVEUSmfmbEadvplUwHfBs7pVBtCzS5SNhdqt2BuTLcSOFfDlu"
    "xMoXLEpWQ/nSCWP+9363E4O5S7AocRTJJP9HVMUIqfp5yZraf40tJiGiMEUV1YQJeYDv++"
    "/a9iUQAhQQPi7oe7fNPxfH4/Kme7EoVbCBCxicgkiJK48ZRMkIX2mihJCD9ZaJh/iBWIOZ"
    "bGS3Wny+seHtKv8/A2t265dQ6T86PEyzXz08jN+wYllQ74d1A6tGyDR5AzQrzWFnhhYG5x"
    "wmcYifLmIcBvha06nywL7QF45zG/okMilq+kayw9eF8S93FrlP513UxWePnwYnF0AAH05N"
    "DkIPdkO99iWAHS+q5qBLE0WVoakw7BcO5fWXHlVF/h1vCvHA+kf7coQelgWjr9DEK2Suqe"
    "DhO5E18WliGyWaPptUB68dX0iUMuiVJaqCY3+tFH6je017RFrCPRkHpDujDGAhE82C3TAw"
    "I6JqEuzZ7y1DYdSAba4CG+C90QVAjBYatNyM9mEXPzNh3xrhNsr3BUM2rH3+fH57O6wRk/"
    "40z2GDzy1Itngmz5qlykTWxQcy0HRTUwzcxn8dXEIF9gRrHXcxMJga0D2LqvpOgrc/DtmT"
    "qFp03f10lBYRr6pF6g/V3nn53rnSiTdoCI+3BbWYNQ0pagGg87UHbQbo2m2rNWh3Pgm9bv"
    "f2nEwpNQFuQde06ZA1v161B91e+yuUiJasmJquWPC817ps3Q3a3Y5DpVOJ8gYduk//hIcP"
    "L/DXZbMzaLXcemimo9Sutcgat7mW5sOLBhwZO5Bh/fhpijy0hVlDkjgDKWxG+EJj95R+kn"
    "zMIrvGOBfDiI/pUyobgutCiNBINU2lIouRACHiBYxBSVE3BbL3ZLuW0otu9yZgKb1oDxam"
    "8Nfbi1Zv74jPbKik2PvMMPYaqGwCOjaycI0AUQnZxmkKrnEayzROF3kGh8vUMiNsk1T4Ls"
    "MXtkHKU4Rmk8g35kRb5Beu6v5q2cVY1bKFqngE25vGtU35rjYdYkV/WMpsGmlPjXceBogq"
    "B2IuDkT/oNj2HD2bGyFIVPkRlvoRHMBycCSkNNkWDN60LoTgxAr4EKALpPP15iadD8GJ81"
    "jT/tuzWykP3hu1APOpGWH9dadsvOXXcmuksPpO6fSe6m5IkR14dEBGdrT9iEczwfM/6KU2"
    "dULwyR4+YaJp6aKKQVv74diwHNstWiDCWw+btwcri1I3pyidiTt/i1Fl0t5s6Hy19dvO1m"
    "8eiJZNFw7RVTbQ5fpwMOpvm7E1RQM6rWYcmmZrBNg4GpzgONyVqHDeLGqy371fEj3Zzxkw"
    "fllQFfaYQ7RNT1Nf8cGaZJycE7RrovTNbqWkc8k7EIMHSdaNTnLa6kNTZZ1T297Hv0qQRM"
    "MAgUkjtJa3bewIqHc66MRrhpSWG6F7i8lrc+8L3kiJFxo1DQED+tZk3VVgaSazIlebYkyL"
    "rkqVbF4UdLfaUhtjl1F+ahJtgXh6E8kxWJO3R2C0MD+HOREZPEOXCndAEUOzj5Nyi6Eh4A"
    "lO/s5RyNaYc/tDhsdCMTSUzwkCM0V/wVQj95o58XKNxJ64/O5ZXzlCVYqPXdoq3Um6Sgij"
    "S7spw1oOONf6g+b19TmBLxiPh+yqdTcQPreaV+fEO3Q8ZNc3LaC+bXaan1o96IhKqSk4ji"
    "Gg6bW/4WMuz3WMb7xrtnvCVbt/1xxcfsYiHbbKii7guWrRlCa+Wn90e198NZ41/RFLr5uX"
    "7Zv24J9C8+q23cFvt/ezAs8XNGTNft/fI/v4ttcjh4jXXVzru4mU5Pwu0/r0UVTmq+XmK5"
    "djbseXWzRw05qsfJMqYKy6bPYvm1etJFvVJvUJ18AQoU74bA/x2sSTr1J5jiu/dcnLM7pl"
    "8WN5BKXzEeYf+cVXURZwPYLKS5jCS2hQMcpC1p+KqhrLGDyiMgn848b7M48z4I8kptC/bd"
    "7chB2BChNAcD0pUla/a5Cw8r1miNKXtSkoBxE6Vez09ZNUAYhhSKfYMmWogAoyKBpahO0T"
    "s8TFBXhGUSdljHt9iCfAiQngluD5GHGiJCFeNoq4mrbJ05bCBv9ldaD95BXUaaCeasycZF"
    "YkktopEe75qBaGpXOgJG06s1RDA7QsZioRynE8c05u5S0z6QAyU6pLiqiuiW+olTeO74zy"
    "0zAr6BSRxG8ZTduEnTHa0E9TIu66sUBDjtf2bLUFQzd1dKF/WlXHbjYbiaI9M+Rx+cTJXT"
    "mtvUKbzU6iCbqWea/9vKWGIT5E+gCCFepJngCNVxWmvrqbdAh8rwGTMi3eB0Z/moJomnQ6"
    "w/9rUPW73+Hi1PwrkxPhQnl4K36E3xuN4+P3jcPjsw+nJ+/fn3449ARPuChJAl20P6EQqv"
    "vtXunOJEUK/uRDSdFyvzKKRxnF429LWR5K8RpuTqkNWn8OznkmuSHDvy+bvSv7twRccshu"
    "m70vV90/OudkKuqPKHWw3u3dDWiiglt5yt1Ygk2BD4Wvd6iqYgIoYLXWzFXEd+9EgteZGZ"
    "MH+Ei2nzpgN/uMjSQJ2OLlOIsaXZH8or8fpZnTvx/FT2osW/DdeSJ9FUY1p95i/pEZZW5O"
    "tSz86q7VuWp3Pp0Th37I+q0OcDADVijGgtlhYKK8Crf5kGJgPsQOy4fwlTpcsYoYllj9yE"
    "+yPY/q4Wa1pBxToAXV1RCuyRcWRZBXtxcV7vYi/4BjaloqC/eZ5EaAKBfpUSgd96iRhk1B"
    "rXj50QixKgezBCN3/LJapM1hTRVsAMq0pCSdIu4rsM8gZcU5Cz3MqA6tMMY+smoZF3l8Vd"
    "EwBarrUXkGB6DnxLDqAFUZZGPSmLb+HCTvYb0hvel2PrnVFze2C9nBReMxo8nNR7IhxHe4"
    "md2EMgLLZAYvRce5nPFavgXCMszwIOCN0zRpYaFWLOC8rDDXvwWyD0T4URazE6S4JNRwq+"
    "bqRfnueiW5X4T+CB1x/O70wLOvy1RS8LaNjO6Tt+I72dgZDBycEKrLoth/bNfi8joCzeLP"
    "kcbw3w2fHd0h383/eKXHHjIA7Kcpn2zL2fzKw+6iPD3x+rGPpAzwbls5xukpr2RbCFJWW8"
    "8ibz2lichYtoN4PpIyrKtN+6h1OsUvW2UhLZBWK6nIKwkQENUVrbGLtNVIF3mkF7aGab3B"
    "QaoybU9y8wk7u/JswAaJKlyXR8D7jB9rhsCXL4tifSEMPji7opOWRDGHHMAteS6YBYaYOX"
    "nxJi2Z7ryOMGL6pny8/dK3wjYc/w19UBW8mXOdKO/KTLmmmZJDE4K1RPfMfmt9bl/etISL"
    "bvcLj9hzUh4JeCE2j9zzMqbB2m31vjXxgll8uZM3DfQvqj/xAyxe7rVe6x9fYaF7ydecVe"
    "NmV/OK7exqvjW1e4Nf0WM0Q4srvxDN5t1dr/utdQXjYnNwGQf0763LAT7T6b+pZFIeOt65"
    "bN3c4EMJUVBVfApD2/7U4dROiuIha3cEaPITTJz+OVGYAK2ivm5AG93bu5sWbxgPNqN4WC"
    "kYNP9tfSD5fuSWL931ENE7vrerti4sMj171ItLVG2ii7yJplFHcZZYSSJP4FTjWqhxlakp"
    "KmqEZIw/kuMjKcZtnvja0tzmiReXRR0sjjfwzylKF+KUvyIIQDhaVZYYhTlViRI25BGlUE"
    "U0vwkpYR8iXWWYg5TVMBd6mN1868IaTtC4Nio1sMgjL02o9AhbedF4XI2bR9BXI174EYex"
    "wkFbbbj9xNVYF3ms+dETS39YaWmHiKuxLvJYLzqY0oc7BMgqA2eEgdMxgdOM0AapSrSDzA"
    "1Y++K6bLAGaCpQI67DrpJT5g+q5yDNdg5xgax8gbj5W+pcj3Wm+Rskqibw0tgyT+6HQa4C"
    "oEIBUAEVKSYCKmIO54Bt6e7UXkQ3uHJTYFvlBU6Fa3xe4GhYXUmVA7DXvqbKCe6CWE8Br7"
    "sZqObtMm4b3DWlgPbeu7h6TWBT34D9SqEN7Jwyx/H6433obM0U2IspBkqiOgTm5URD5NaC"
    "6bNm67plhEe0ZGXdu9ixiRvtoTxLdlFm4J31E2fDswZO1Z31qY8U8CUXcZ7AXYrxhwkmbo"
    "2l19Q3iU4NzdIlSh7pzCRjTSffeUBknVAm75P7FyISFRQ44kRTn5ORoyifHzVGdTKy1bvz"
    "/52ImjFRxtaoXlvAdDNvGbKRq/ycT/V3x4dHo7jr6UNnINzucJAkE5rGv+xA0L8wC/7iw7"
    "oXTOiRVgcmtnurvW/I0tq8/DRFPiyxosXrw2GalBmH8TkzDiMOKew2frpogJfJL7fTAOpq"
    "YDfocPWE1YJilnTR8JyoumQ4/SXD1Xnz6rx5wWwpac6b7+pMtK1+3WjSYy3yYLSvvJ58Ot"
    "quKahu1aU7my6DzYT2TGZU93YfH4nGSP8fN7C864THBcMAEAU2JIpumASPMYiqYlCDOIdU"
    "DbJ3ZzNroApta/J/xZDpVFWgEBpRTIPQn5JqYco3Mp8GRIG/qCjvp9ztxG5TtnghS8G2Kh"
    "vRouO3LrBxjU71l+BE1mMS/b3Re0BCsmI3HI2b+T7j/TJRyWq9wkRexq2NwsStt5SRDSaU"
    "SBNA8zdkC5QgJWc7e4pMjvZh6UAFDJEkI4P+GJEHUOsY0SyTiEyGQtEE5iRpugz0E9GYHI"
    "T4WO5vGLIW3uEN3E5UbSYILM3lgXViaLzEIKJO5xxRJnsifyvyeGSAc7ZYxx4M2bMOXNUr"
    "tpnsvtMH5wsIw9vD0cD0aHzEV8Jr4G0T7dlw+oj/T/EMOhnr2nTIkBS2Oesy0yiFMPlEV5"
    "7aYBEsP6sf5sqYzDfphsmtp/LdMNPcyhWTC2HauISzKAYBoi1eIVbbinqQz6WSRZJf6KaK"
    "E1+OC2uZ9FKdakuF1x8TjcggRZ5BSNThX8rqnO/Cn4o0IU5m0MAzO9UJMTXn99BqHB6dcM"
    "GkKgxY/5iIIRG2ofcMGc5rR7TsDa3Tw6PG0Dp7T0+H1ofxWIZ/5cYxSMgR1hsRxQBZIzZO"
    "zwjmqeJiCSQaiEVJZBpTJBCHeOK67rxSYaDeA2JDZgvWvaM6adTJcZ13pnFGnhVYTSBnH8"
    "SZYUu60UynT3y1jbhU5AIX+2pLNy6hyTtyNDogTXz3kOG3w2Qg4tikOk4hgzANpCg81MkU"
    "D8px4WyL7o/ElsGujFSp+ATFIvYAumsrAB+hv/Y6B3qFHcxeCJ8WBL5ZGb/Ad9gT52/2ZO"
    "HoQaV9kP8M3o69tndD0G2qoKQFjWHImu43AIoo6k1QMhAA3jn7KzgE0Hu7G2TkTF3/e1Cz"
    "GPER5CoHLGrNFvL2IGpMopgZZortg8qBL4DHIughwAZk/EasjKmHqL72Fqu6IHmXFyQDZ4"
    "q6ICdeknkEJXQW5X85siiZkbvaRHzXSV9fbIDzjz9HYSUk5Q2LifQPkpUv0j//3FymtgLO"
    "AaIK5eUo7yB1fLFZRv4QZz9cW6XFeAUe3ipHVuFyZG3RMFWs6+x3Ypjydr1ZhEeAqHwCOn"
    "+NPivAFbbpsd1V5EjRYC5f4EjBEM4hbmTXyfTb7F6zmNynlNUiLNX+4nqSsVqxKwqGW3OT"
    "mfWrOItlm500gRZQK2G7szTUIikbZJJ6lpgLMjf3YTn1tIL4tpzz6VfaM+M71gjGsVglkX"
    "m4x8Flf+0UB2ocOh4foY25J0GRaODMiwUNqvvn5HmiEUNUZGJo6BJ6qXP/Bi/lPqxwqEb+"
    "zac5LhM8Ge8ck6mOv2zz+MujEhW9n+7yCJe2yBa0mn3Dh3uzx5DdNgGUVgevhDjnbkaTMv"
    "y6IesPund3eMGDYWqzWVGudwABYmTzhswpShc00ThMI+uhVvw99YfV4aS3ZOHkUinr4HpE"
    "VULIIo8tXTGRs5+uGuHij/B9pn2un6YyIC43ILpb1GwoB6mKrAEWDujqRolS86xdZXcs2p"
    "hu2CK/iwSERYM4rUk+VQbC3VjXrlVKzY5mKlKkZc1fXE+yqo2xIqxJr+ZSi1pfm1KM0X0g"
    "pqbKdgAvnhSyL/fQ60Qkkioak/1zHij8SF/q+AAYrIx5ZRRmUN05hBm2p+XdeOUmWNtN0E"
    "jlJmgkuAkaa7kJKhH/qkV8QbwRTgbHCFY5z+0YzyXniSR347KsTPgbMOGD0MuUvcqtX1mH"
    "01iHq2sVcziJ6zt7QKmMnDAM6ID+jAHTT1MGi06SKGz9OQhIwVBQqScJb7qdT271xUjT0B"
    "ReSSfR89VIXtEovAaFJGpVrXzLXWQD1ZgXecyrvcabGObq1rPqxpjiWRRT3hgTv0f2HcEQ"
    "dXPNJPKli6neaP5vO1d6VKYON4l6QpoOr0qqRHmKSacYTcgTVtAHxTDR9okGTtMgpvgAXZ"
    "veUx1TYHyQT06G1gkV3w+t9+Ojs6F1ejx+vx82rebYbpoYRQkm04Omc6MoHsvlax4T1gv3"
    "/HKUKl5xq8YOGNwstg6neums2fknBfDP89RBAD6aEoYA5A8y/z8DwG79EoKbf3yFqkmenp"
    "AWYD9NBXIKkJ9E1YqYwldUUqaiGhPc4NIsbjVtogOH+BWinYDuVeuyfdu82Ttq1BsL6b9d"
    "4E+iQpHjbPnLw/E94i0a9hUmGKaTOzlLVH67I/QH3csv58RtYcja/f5XDL9XDMOi8pANes"
    "1O/7rV67U7n1DWiswYUx3HY8iu2v27bh9ry4oBW+6iROvbSUlXMcoEKSvTW5FtMjLFTeuU"
    "ZjXKhOhK5BzK7R5q394qPbJBogrWMKyPlM6y3pkeoKlAXWpAtPHanvWwYOimNR4GplWa+5"
    "A9tpkDtFeBxsoJcEjOpADZ4aA5IFw6a+wivEFhE8AWukA6X29udhVO26S6Ik1qUcZdu6Se"
    "aN2d16nCw16TTKonWExjbwmJt4rEXxNSBqNI4/Q0TZjY6Wl8mBiWLSRInM2yIOxULyG6R6"
    "mC8I4SgvCOwkF48EYzUvzH5yn0kWw/T+Fu9tG5ZSTcaazzr/8H8ZfKkg=="
)
