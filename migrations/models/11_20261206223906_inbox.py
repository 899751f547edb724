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
        DROP TABLE IF EXISTS "inbox";
        DROP TABLE IF EXISTS "inbox_beat";"""


MODELS_STATE = (
    "eJztXW134jiy/is6fJnkHDobSKe7J3PPPZckpJttAlmgZ2a3mWMcWwRvjMzYJuncvfPfb5"
    "X8gt+xwYDj+Et3sFSy/EiqKpVKVf+pzTWZqsZJS54rrC0rZu2C/KfGxDmFP8KFdVITF4tV"
    "ET4wxXuV1xaxmkCdeveGqYsSNjgVVYPCI5kakq4sTEVjWL9FdO2ZmDNKOCVZiA/UINJMZA"
    "9UJkeTR4XJE/JEZ4qkAvlUlBRVMV/qRF+qlGg6kKvU+IVMHunLhCgm742sSfBehT3s5A1j"
    "tlBF01OVKDLUpn8uqWES82XBqZYG1RX5GD5c1+b4ekY0xrshi4CWaFCiGNgcMfWlOauPmc"
    "hkwqgCVXQyMSiFXjEN/3xh0oQ864oJ/daeoFQxyZGF/d+w3skCeuv8hsrw+5gsGfQa+mpq"
    "qkxMDT4Uq5KbTrdN3r3TKXyDRN/hQBmT4xNEbckU+ATB1B4o9gGw+/69huhgIXx87Y8/4A"
    "/4TX9QA0vx5+JRmCpUlX1TRuEk/LmAeOCzDjNveEUcn3tB0tTlnK0qL17Mmcbc2grj8+eB"
    "MqoD1tg8wITzhy1V1Z5szpSyOr6qYnXRQyPTqbhUcRYitdWB1bOaIPT6I2HYHglCLTRDHQ"
    "rPlLIfSRrD2Q1dNfjXP2AX3jUb7z++/3T24f0nqMK76T75+Jf16hUwFiGHpzeq/cXLYXZY"
    "NTjGK1CdkfDDejUT9WhcnfoBZKHLQWQdHJOgdR6ssF0t6H2AOxd/CCplD+YMfjY+JCD5a2"
    "tw9aU1OGp8OMYXasB/LNbUs0uavAjB9oAL0zsLtlb1EkL74X0KaD+8j4UWi/zQAvvX9Czg"
    "ugQVvGngNcPYXgM8pjKnMfiaEeDKNsmJ88crhDoB2lHntj0ctW7vsPm5YfypcpxaozaWNP"
    "nTl8DToyADcRshv3VGXwj+JP/q99ocTs0wH3T+xlW90b9q2CdxaWoC054FUfZi4jx2Hv2F"
    "8nT66GH++OBelB6fRV0WQiVaU4urGy6aN+fBJyIDTUi20cR+OpreYqFrT6I6WPLPDmuC3v"
    "JkZdCuKehO1bX64GiG2pNMddBVuOIFKpNoEqslUOF8etYv8CVkTkVmgKZEnLcRw6SLk5Ae"
    "mFvLYzZm2BgIAVTh/IR11P1ESwtEhU5j8NYp1/NQIBugh4mGQU3BJjqRFQPmjqhOji9ABe"
    "SVyDMogdguV0AtYu2Z8ZdZvZXJPbzbrHN9UkNtzcAn+Avf/JPBaU9Ii3/pmM3FF4KjaOmf"
    "dCHq5pwyExVJaNQUH0E75Xrq0QRKTWFGRfl/GmeTC06Av7AfHsLGGSis9OThhFe4X+pUXM"
    "Jb+adB1aki0WOiwOq0Sbn6vVioiiQy8ycjTt9Mq2Da4FncK4NoCdLlI2EOq3b65MtZM4V8"
    "OWvGyhcsSlZD+dIJY/73Yb8Xg7lDEJQ4imSS/yOqYoRU/bxkTe2/pksmIaIwRRXVhAl5gu"
    "/779r+JRAC5BM+DuhHt63fg+Nx1e1fBqUKNnAJg1MQKXHtMoMoGeEpTZQQsr/eOvEQPxBb"
    "MJOd7FaLzzd2vF3l/2dgzU79Eir9jdPTNPvV09P4DSuW+fV+WDewaoRMk9dHs9EctmdoYX"
    "DOYRKH+GkQ4zDAN5pOlQf2lb5wnDvQJ5FJUdM3kh2+Loz/cmaR83TVRV18dvmpf3IBBPDh"
    "1OQgDGA3NOhcAdjxomoFujRTVBmaCsN+aVPefB1QVeTf8aYQ961/tC9H6GFZMPoGTbxC5p"
    "oKHr4T2RKfFrZRoumzS3Xwxj4LiVIG3bJEVXDqrZXi3Ohe0x6RlvCTjBPSX1AGsJCZtoTd"
    "MDAjomoS7Nnvl4bCqAHbXAU2wEeTS4AYLTRouZkcwy5+YcK+NeLYKN8XjNm49uXLxe3tuE"
    "ZM+sO8gA0+tyBZ4pk8a0tVJrIuPpCRppuaYuA2/tvoCiqwJ1jruIuBwdSA7llU1XcSvP1x"
    "zJ5EdUm33U9HaRHxqlqk/lDtndfvnSudeIeG8HhbUJst5yFFzQd0vvag3QBdu223R53eZ2"
    "HQ799ekDmlJsAt6Jo2H7PWt+vOqD/ofIMScSkrpqYrS3g+aF+170adfs+m0qlEeYM23ed/"
    "wsOHF/jrqtUbtdtOPTTTUWrVCrLGfa6l1fCiAUfGDmRYP16aIg9tYdaQJC5ACpsRZ6Gxe0"
    "ovST5mkUNjnIthxMP0KZUNwTlCiNBINU2lIouRACHiAMagpKi7Atl9sl9L6WW/3/VZSi87"
    "o8AU/nZ72R4cNfjMhkqKtc8MY6+ByibgwUYWruEjKiHbOE/BNc5jmcZ5kGdwuEwtM8IWSY"
    "XvOnxhG6Q8RWg2iXxjRbRHfuGo7q+WXUxVLZurikuwv2lc29XZ1a5drOifS2Uxj7Snxh8e"
    "+oiqA8RcDhC9g2LZc/Rsxwh+ouocYe05gg1YDgcJKU22BYM37RGCf2L5zhCgC6T3rdtNd4"
    "Zg+3lsaf8dWK2UB++dWoD51Iyw/jpTNt7yu3RqpLD6zun8nuqOS5HleHRCJpa3/YR7M8Hz"
    "3+iVNrdd8MkRPmGiudRFFZ22jsO+YTm2WzRHhLfuNm8NVhalbkVROhN3/hajyqS9W9f5au"
    "u3n63fyhEtmy4coqtsoOv1Yb/X3z59a4oGdFrNODTNtnCwsTU4wT5wV6LcebOoyd7j/ZLo"
    "yV7OgP7Lgqqwxxy8bQaa+oov1iTjZN+g3RKlX61WSjqX3AsxeJFkW+8ku60hNFXWObXvff"
    "yrBEk0DBCYNEJredvGDp96p4NOvKVLabkRul8yeWvufckbKfFCo6YhoEPflqy7cizNZFbk"
    "alOMadFRqZLNi4LuVFtrY+wzym9Noi0Qb28iOTpr8vYIjBbG5zBnIoNneKTCD6CIoVnXSb"
    "nF0BDwBid/5yRka8y5/THDa6HoGsrnBIGZor9gqJF7zZy5sUZib1x+d62vHKEqxMchbZXO"
    "JN3EhdGh3ZVhLQeca8NR6+bmgsAXTKdjdt2+Gwlf2q3rC+JeOh6zm24bqG9bvdbn9gA6ol"
    "JqCvbBENAMOr/iYy7PdfRvvGt1BsJ1Z3jXGl19wSIdtsqKLuC9atGUZp5av/UHXz01njX9"
    "EUtvWledbmf0T6F1fdvp4bdb+1mBxwsas9Zw6O2RdX3b7ZFNxOsG1/phPCU5v8u0Pj0Ulf"
    "lqvfnK4Zj7OcstGrhpTVaeSeUzVl21hlet63aSrWqX+oRjYIhQJzy2h3ht4slTqTzXld+6"
    "5OUR3bKcY7kEpTsjzN/zi6+iLOC6BNUpYYpTQoOKURay4VxU1VjG4BKVSeCfNT9+cDkD/k"
    "hiCsPbVrcbPghUmACC60mRsp67+gmrs9cMXvqyNgflIEKnip2+XpLKATEM6RxbpgwVUEEG"
    "RUOLsH1ilLg4B88o6qSIca8P8QQ4MQDcGjwfI26UJPjLRhFX0zZ52lLY4L9sDrSXvII6Dd"
    "RzjZmzzIpEUjslwj0f1cJY6hwoSZsvlqqhAVpLZioRynE8c05u5S0zaR8yc6pLiqhuiW+o"
    "lTeO74Ly2zAb6BSRxG8ZTcuEndHb0EtTIu66M0dDjtf+bLUFQze1d6F3WlXXbnbriaI9M+"
    "Rx+fjJXdutvUKbzUG8CfpL8177cUsNQ3yIPAPwV6gnnQRovKow99Td5YHA9xowKXPJ+8Do"
    "D1MQTZPOF/h/Dap+9x642DX/yHSIcKk8vJVzhJ+bzbOzj83Tsw+fzt9//Hj+6dQVPOGiJA"
    "l02fmMQqjutXulu5MUKfiTLyVFy/3KKB5lFI/PlrLeleI1ZE6pjdq/jy54JLkxw7+vWoNr"
    "67cEXHLMbluDr9f933oXZC7qjyh1sN7tXRc0UcGpPOfHWIJFgQ+Fb3eoqmIAKGC1y4WjiB"
    "/+EAleZ2YMHuAh2X/ogMPsM3YSJGCPyXGCGl2RzkV/bqSZ0z834ic1lgXO7lyRvgmjWlHv"
    "Mf7IgjInploWfnXX7l13ep8viE0/ZsN2DziYASsUfcEsNzBR3oTbfEoxMJ9ih+VTOKUOV6"
    "wihiVWP/KS7O9E9XS3WlKOIdD86moI1+SERRHkVfaiwmUv8g44hqalsnCfSW74iHKRHoXS"
    "cRvNNGwKasXLj2aIVdmYJRi545dVkDaHNVWwASjTkpJ0irhvwD79lBXnLPQwozq0wRh7yK"
    "plXOTxVUXDFKiuR8UZHIGeE8OqfVRlkI1JY9r+fZS8h3WHtNvvfXaqBze2gejgovGY0eTm"
    "IdkR4gfczO5CGYFlsoCX4sG5nDEtX4CwDDPcD3jzPE1YWKgVCzgvK0z6N1/0gYhzlGB0gh"
    "RJQg2naq6nKN+dU0l+LkL/DF1x/G73wLWvy1RSMNtGxuOTt3J2srM7GDg4IVTXebH/uV+L"
    "y+twNIu/RxrDf3d8d/SAfDf/65Uue8gAsJemfLItZ/Mrd7uLOumJ1489JGWAd9/KMU5PeS"
    "Pbgp+y2noWeespzUTGsl3E85CUYV3t+oxap3P8sk0WUoC0WklFXkmAgKhuaI0N0lYjXeSR"
    "DmwN054G+6nKtD3J7UzY3pVnA9ZPVOG63gPeY/zY0gW+fFEU6wE3eP/sig5aEsUccgC35L"
    "FgAgwxc/DiXVoynXkdYcT0TPl4+6Vnhe3Y/xv6oCqYmXMbL+/KTLmlmZJDE4K1RHlmf21/"
    "6Vx128Jlv/+Ve+zZIY8ETIjNPffciGmwdtuDX1uYYBZfbsdNA/2L6k/8Aosbe23Q/sc3WO"
    "hu8DV71TjR1dxiK7qaZ00d3uBXdB/N0OLKz0WzdXc36P/avoZxsTi4jAP69/bVCJ/p9N9U"
    "Mil3He9dtbtdfCghCqqKT2FoO597nNoOUTxmnZ4ATX6GiTO8IAoToFXU1w1oo397123zhv"
    "FiM4qHjZxB89/W+4LvR2750qWHiN7xvV21NbDI9OxeLw5RtYku8iaaRl3FWWMlibyBU41r"
    "ocZVpqaoqBGSMf5KjoekGNk88bWlyeaJicuiLhbHG/hXFKVzccpfEQQgbK0qi4/CiqpEAR"
    "vy8FKoPJrfhJSwLpFuMsx+ymqYCz3MTrx1YYtD0Lg2KjWwyCMvzaj0CFt50XjcjJtH0Fcj"
    "XvgRh7HCQdtsuL3E1VgXeaz51ZOl/rDR0g4RV2Nd5LEOHjCld3fwkVUGzggDp20Cpxmh9V"
    "OVaAeZG7BW4rpssPpoKlAj0mFXwSnzB9U9IM12DzFAVj5H3Pwtdc6Jdab56yeqJvBa3zJX"
    "7odBrhygQg5QPhUpxgMqYg7ngG3pcmoH0fWv3BTYVnGBU+EaHxc4GlZHUuUA7I2nqXKCGx"
    "DrKeB1NgPVvF3Hbf27phTQ3ruJq7cENnUG7FcKrW/nlNmP1+vvQxdbhsAOhhgoiergm5cz"
    "DZHbCqYvmqXrlhEecSkr2+Zixya62kN5lmxQZmDO+pm94dkCpypnfeorBXzJRdwncJZi/G"
    "WCmVNjbZr6FtGpoS11iZJHujDJVNPJd+4QWSeUycfk/oWIRAUFjtje1BdkYivKF43mpE4m"
    "lnp38b8zUTNmynQ5qdcCmO7mLWM2cZSfi7n+7uy0MYlLTx+6A+F0h4MkmdA0/mU5gv6BUf"
    "CDD+uuM6FLWl2Y2G9We8+QpbV5eWmKfFliQ4vXp9M0ITNO42NmnEZcUjis/3TRAC/TudxB"
    "Hairgd3hgasrrAKKWVKi4RVRlWQ4fZLh6r55dd+8YLaUNPfND3Un2lK/upr0WIu8GO0pry"
    "ffjrZqCqpTde3Ops9gM6E9kwXV3d3HL0RjZPiPLizvOuF+wTAARIENiaIbJsFrDKKqGNQg"
    "9iVVgxzdWcwaqELbmvxfMWY6VRUohEYU0yD0h6QuMeQbWU0DosBfVJSPU+52Yrcpe0zIUr"
    "Ctyk606PitC2xco0P9JRwi6zGB/t5oHpCQrDgMR+Nmvi+YXyYqWK1bmMjLuLVRmDn11jKy"
    "0YwSaQZo/oRsgRKk5GznSJFJ4xiWDlRAF0kyMeifE/IAah0j2tIkIpOhUDSBOUmaLgP9TD"
    "RmJyE+lvsbxqyNObyB24mqxQSBpTk8sE4MjZcYRNTpiiPK5Ejkb0UejwxwxRbr2IMxe9aB"
    "q7rFFpM9tvtgfwFhmD0cDUyPxi/4SngNvG2mPRt2H/H/Od5BJ1Ndm48ZksI2Z1tmGqUQJt"
    "/oylMbLILlZ/PLXBmD+SZlmNx7KN8dM829pJgMuGnjEs6iGPiI9phCrLYX9SCfpJJFkl94"
    "TBUnvuwjrHXSS7WrrRVev800IoMUeQYhUYd/Katzvgt/KtKM2JFBfc+sUCfE1Ozf42XztP"
    "GeCyZVYcD6p0QMibAdvWfMcF7bouVovDw/bTTHyw8f6fl4+Wk6leFfuXkGEnKC9SZEMUDW"
    "iM3zDwTjVHGxBBINxKIkMo0pEohDvHFdt1+pMFDvAbExswTrUaNOmnVyVuedaX4gzwqsJp"
    "CzD+LCsCTdZKHTJ77aJlwqcoGLfbWkG5fQ5B1pTE5IC989ZvjtMBmIODWpjlPIIEwDKQoP"
    "dTLHi3JcOFui+xdiyWBHRqpUfIJiEXsA3bUUgF+gv9Y6B3qFnSxeCJ8WBL5Zmb7Ad1gT52"
    "/WZOHoQaVjkP8M3o69tnZD0G2qoKQFjWHMWs43AIoo6k1QMhAA3jnrKzgE0HurG2RiT13v"
    "e1CzmPAR5CoHLGrNEvLWIGpMohgZZo7tg8qBL4DHIughwAZk/EasjKGHqL71FqtKkHzIBM"
    "nAmaIS5MRLMpeghIdF+SdHFiUzclebiO824euLDXD+/ucorISkuGExnv5+svJ5+ucfm8vU"
    "NsDZR1ShvB7lA4SOLzbLyB/i7Jdrq7AYr+CEt4qRVbgYWXs0TBUrnf1BDFPurjeL8PARlU"
    "9A56/RZwW4wjY9tgq7135E+o0kGgQ8VDu6S1p+5nEop52izfDy+ewUDOEcXHYOnceggwzn"
    "kopmLeKIYFVYTzojsJjWvVMvxSWEha5J1DDw/JiKuomkF9zsq+PBLR4T4w/tmaHhXKVkgj"
    "UE0eQW9ynoaRGn2rm1uoX9F9qOuiAcL1FdgtK52eQlUePNvfboRTAgVRPjQrisaAKIT5Go"
    "XNve6/63y26b3A3aV51hx94VuftcXoiPVv6vg3arW5zDS859bmFBi1yQRXMnp3w9g0rFm+"
    "JhT3PNCM2DvCvWsuY3i5aGexce/s12iag6OtrX0VHlG2kZKH9upLFQ/tyIN1FimV8d96yA"
    "tPh6SEpoBs5/s7kQX0B8RUAcby/0kOzfXngYebgTy6BOJao8xcS5TNBEAnSVNhKnjQSTKm"
    "2cRssl3qPPWm45le4G/av2cGg9tPY5/Hn75sbOq0SnUzuv0nW/174gssZocJOUSgakOddu"
    "xJ9rN0Ln2nveFRXMSLBztwzTpPOFGXFYFB8f1ENSGtfZ/KJYwsLJys09NBty8oLN2h0zcp"
    "0u1AiNO15dcQm2UlZeD8g70lUARMGgUbEXEy8P+wn3eIHYffJqbxA/iwpeCRRMLTKWThLq"
    "QdIK9zW4F8RwZUfOvAY1hvvSRNiuglXqSeYrJ1Cl7K2dwspu0/GbW9qU+zgrEvVF41lCg+"
    "rxBXmeacQQFZkYGjqrv9S55zUv5d71Ueb2vJtPY2Hzx+y0A/hksqm9FYPazgLzPCpRcUXS"
    "bcEc2iIbdWpW7mEn5/CY3bYAlHYPk9Ve8AsQJmX4dWM2HPXv7nDvZZjaYkELknhWp6KRzU"
    "97RVG661zN0zTXvaFWLMC8rAqb9GZ8L7lUyjq4LlGVqqbIY0s3TDHnpatGuPgjfJ/pNM9L"
    "U1kc11scnUSq2VD2UxVZAywc0FWu21LzrEPlnSnamO7YYfUQqVGKBnFaj9VUuVEOY127US"
    "k1e5qpSJGWNW9xPcmqNsWKsCbdmmstakNtTjF6wANBi6wVWgBjGFlph/U6EYmkisbs2PI6"
    "faQvdXwADFbGiNcKM6huh4cL29PybrwKFLe1M1QzjekAaiUcha+NFVeJ+NKK+IKcRti5ZS"
    "JY5SrrTDyXXKW42anvbGXC36cJH4Reprj6Tv3KOpzGOqzzGLBhfJPDA66oSnT3bPMYgZ6o"
    "KJTKyAnDgI7ojxgwvTRlsOgkicL27yOfFAw5iriSsNvvfXaqB71HQlN4I51Ez1cjeUWj8B"
    "oUkqhVJYjG40ZDHdlANeZFHvNqr/EmhjmYNTitU3CArDIpVrms95/LOn6P7L3tpEe5u2fJ"
    "S1i6kAM7zUxoZXGMiiHspHdMCCDsVkmVwkMx6Ry9CXkoXfqgGCbaPtHAaRrEFB+ga/N7qm"
    "Nw3k/y+/fj5XsqfhwvP04bH8bL87Ppx+OwaTXHdtP4KEowmR40nRtF3TtHmEpTuOdpmyt/"
    "xb0aO2Bws9g67Oqls2bnH67UO89TOwF4aEroApA/yPz/DAA79UsIbv7+FaomuXpCWoC9NB"
    "XIKUB+EtVlxBS+ppIyF9UY5waHJrjVtIhObOJXiHbSvbr2Vee21T1qNOvNwPUWB/j3Ua7I"
    "r+tGtMIEw7SzumXxyu/0hOGof/X1gjgtjFlnOPyG7veKYSzx4vNo0OoNb9qDAb8mDagzY0"
    "p1nV+Uvu4M7/pDrC0rBmy5i+Ktb6VL2sQo46esTG9FtsnIFDetc5rVKBOiK9HhUG4Xtj17"
    "q/TI+okqWMOwPlK6iIncE4uqj6YCda0B0cJrf9bDgqGb1njom1YxlsNodpsDtNe+xsoJcE"
    "jOpADZ5qA5IFw6a2wQXr+w8WELXSC9b93uodxpW1RXpFktyrhrldQTrburOpV72GuSSfUE"
    "i2ls/uJ4q0h8AuMyGEWa5+dp3MTOz+PdxLAsELcJFlUGhO3qJUS3kcoJr5HghNcIO+HBG8"
    "1I8R8fYshDUkVEzBhl6KC+zn/9P7rbWTw="
)
