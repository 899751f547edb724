from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        COMMENT ON COLUMN "outbox_message"."kind" IS 'TEXT: text\nTEXTCARD: textcard\nMARKDOWN: markdown\nTEMPLATE_CARD: template_card\nCARD_UPDATE: card_update';
        ALTER TABLE "request" ADD "last_urged_at" TIMESTAMPTZ;
        ALTER TABLE "request" ADD "checkin_asked_at" TIMESTAMPTZ;
        ALTER TABLE "request" ADD "checked_in_at" TIMESTAMPTZ;
        ALTER TABLE "request" ADD "dispatch_reminded_at" TIMESTAMPTZ;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        COMMENT ON COLUMN "outbox_message"."kind" IS 'TEXT: text\nTEXTCARD: textcard\nMARKDOWN: markdown\nTEMPLATE_CARD: template_card';
        ALTER TABLE "request" DROP COLUMN "last_urged_at";
        ALTER TABLE "request" DROP COLUMN "checkin_asked_at";
        ALTER TABLE "request" DROP COLUMN "checked_in_at";
        ALTER TABLE "request" DROP COLUMN "dispatch_reminded_at";"""


MODELS_STATE = (
    "eJztXetz4jgS/1dUfLmZquxUQmYyWfbqqghxEnZ4ZIFkdjdsOYotwIeRGD+Sye7N/36S/M"
    "BPsMEmjuMvCUhq2fxaanW3Wq1/agsiI1X/0FwuNfII1YGpoloD/FPDcME+RNYfgBpcLle1"
    "rMCAD5yS1fCWouY0fdANDUoGrZxAVUe0SEa6pClLQyGYkYxmCBBNRhqSgUZUpANjBg1g9Y"
    "QABBr6ZiLdAMbzEv0C7v4CCwSxDjABztOAbqDlB/Y4mUj0eQqeZt6ziRXaWDTIFBkzpNH+"
    "7/6ixQqW0XekO1+Xc3GiIFX2oWg/RmSPYV3xFtY3WtuaQU3A5uKClbaxbkAs8WbygygR1V"
    "zgqD6Wz8aMYLcT+qNZ6RRhpEEDyR64samqNnucIuu30AJDM5H7I+RVgYwm0FQZ0xi19S6r"
    "spoo9vojcSiMRLEWZuitcNVudQTxrN//0u5dNsAjmimSisQHQuaUNWN80Wy1O+3RH+JAGA"
    "qD2+ao3e+xt5MUVTGeRQ3pSHuErL8xHgjXzfaAtvztRhiOGpRnS6hooo1HkOf260oEs2Gn"
    "YEPnnFjA76KK8NSY0a/H9R/WL1rxwWrFX745aF01B++O6+9Z34SOXWtk9+yaOq/6wbuABr"
    "Q64fz3MJwNtjCnfx32e5zLYe46BAG2yopkgP8BVbF+aVr2OgUr/q7moMvMf09MLDGswYOp"
    "qIaC9Q/sef+ppWO7M1A2MmMN+Awg1vNC17+pXtDfdZu/B/nR6vTPOGREN6Ya74V3cEaZw6"
    "biZO7hDSt4gNL8CWqyGKohdRLXNly1qC+CJRDDKYeX/WL2+2y5eU7HqmYsEDaipKqndq1M"
    "lf3tNgnUeEbsIMIUOTyc29iIHs1W48BQVvBWQzgPCZV4qNK3pf9+qh99/Pzx9Pjk4yltwl"
    "/TLfm8ZjS3e6MNcoL/j1wQooF12mcj/JNIhzzB9Qnlo8PDBFKZtooVy7yO4b3Cl84bOmvE"
    "VIPXR7PVGLZHaGFwzmAQh+RpEOMwwBdEQ8oUf0HPIcUmgGqkOHxdGP9wRpFTunpFDT658t"
    "Q/uCgE9Icjg4NANaHRoN2iYMcvVSvQpZmiyrSrMOxnNuXFlwFSuQr1thD3zX+T6pERelga"
    "jG5oF69QuMbCk6e6c2Er8FHKjlu3VtWZeFtttBybgFkUjBYsVSihD6C/RJjCAmbE1HRAJx"
    "tQiUStuAdTVzDSqQGoLBB4d39GIR61u8Kf/Z5w/x7M0ZKahXrIgMz6AWM8rl1dNbrdcQ0Y"
    "6LvRoDYoawWs5Qc8EVOVgazBKRgRzSCKjv6lg5tRizbAj3QsMy2dMpPap+AJqupPEn36fI"
    "ypoWqiXa3UqFUyXhWJXB8LZIVuqYbkbxtWOp8L9snHBGCffIwFm1X5Fb5dPCzZelbyAbrW"
    "FYRRu3cpDvr9bgMsEKL2+lTUCFmMcfPmvD3qD9o3tAaasmIQTTEXzIPSEq6Zi8Wm0pCEeI"
    "c23eUftHD6TD+1mr2RIDjtJIgNhKxWL+lnWbGXOShk9gIp5o+XpsisLcwckuCSrsLWGpzQ"
    "ZvKSZGP2vzTGmRj+HqGPkKyLjlM5QiMlREUQx6wAIeIAxlRJUfMC2S3ZryfwrN/v+DyBZ+"
    "1RYAjfdM+EwbsjPrJpI8Wyo8LYE6qyiRPNkmFJpYaPqIRi41MCqfEpVmh8CsoMDpdBUiNs"
    "kVT4bsKXmkHKY4Rms1ZurIj2KC8c1f1ViYsU2wWhXb0d/QuD1T5WSRwweXoYuDcmwrvgeG"
    "niPQum0yKBV2GBFg9IA2QCqA1NTXsNQfMDuGddKPI9UHRe/hW1yAJYheAdK8HQMDWoUmv/"
    "+X14NzrDfou2kWMPzeLa+Dnv41jMSrP6rShK50LJ3iKpXCY5glupFnuzRFYb+em2JEN0lY"
    "29eV/SHzWxz73JogGddHMyNMx22KBkAU2iquB5BttvA2KFEpYEdp9IsEPjdkTp1uqlREaE"
    "b4VyYkpZLOaOSDmRrEPaVVnH1L4N01cJEtR1ugKgiGX4bVvvPn1Fo0rejjEm5UMob/8GX+"
    "5ifBzOUrjezyFqTrONzo4+Rjw0njklCP3MyFlUAu8PUG7NkMai5jEtY8G1PBQZ6MSKpOeu"
    "C118UowZf+Z9yOmRcf9jrOgAshgIPiYAHSnaM2Chy8SYAWafP0Ad6XFOkjvXDcQR+qtymr"
    "yg08QZpFudhrBp87LwszgGMRw1Ly4agP6CyWSMz4XrkXglNM8bgOrZhjhDUB7ji45AqbvN"
    "XvNSGNAXUREyREs6aJRm0L5lxVwOa+5RiPP28Lo5al2xKvs0hKzoS2hIM0+rr/3BF0+LJ6"
    "LNWa179KJ53m17D11AeaHgMbaL+bdibPpziZZqBnooKkt5s6XsyMQdbeSSRUoeBKxjz6Dy"
    "2cWt5rDVPBfWmcV5agyO6RehMHiswnh94dHTqDwnS9762rqkankql7lLULrtiKOTJOdKTu"
    "KPlZwEFyQ+i9KA6xJUGxIJNiR0BKN8F8MFVNVYweASlWnBP65/PnElA/uyTigMu81OJ7zn"
    "oGCRHaZVpLRbPH7CapsnxTYPV9dTbvF4aapTZ5t3dzhe+9NaC4Zu4i0d77Dyqa30DUDvpt"
    "NJuJ1TxTrt3RfYN40H8r2LdB1OI/V7f4O1Wj7hTcWFp22eyv4dVW2gYfJ3wOi7IULDQIsl"
    "+2853RJbAmfK9K0YAz/X68fHn+uHxyennz5+/vzp9NCVmeGqdcLzrH3J5Kdv8UoWwxS5Zq"
    "0PYopesirNNkqzndPfta3H06EtMtC1kfD7qMFPNo4x+9xqDs6t7xIVh2PcbQ6+nPe/9hpg"
    "AbW5TJ4wa9e97jRHgug0XnBbVLQoWKF4c31OG7ADSVSmmkvZNlVf3hKkjzMiA0ziM714SP"
    "af6yX/JTIK2syyuvjmEoo4oBQvquzmW82eoDJSJOfGz0dJxvTPR/GDmtUFDHB37d5GUK2o"
    "9yeqakuEnTN+aeTVtdA75xmqbPoxHgo9KsF0OkPZlo21WwPlbaTNaQLGnMay5TQUpmlpUB"
    "FsidWPvCT7c4sc5qslZXgkz6+XhnA9p8Cw0/xxh/JC5EF5btN/cD6US6qzvAXDUbN77RPt"
    "bKFmNXVe+hwofRdcXN1OwNf26MrKhcBSJgRXALfd6M8aeydoGkTE5EmEshcTp9gp8jGcpU"
    "pAsviQat3wEWWyehRKxz2qJxFTtFX8+lEPiSobMxMbSoSbfP20CtJmMKcKxoAyTSlJQwz3"
    "LcSnn7KSnIVmM1OHtuCxh6yaxkXmrwp1Q0SaRiIc6iOq58SIah9VGdbGdTwVfh+tt2Fdln"
    "b6vUunedCwLUxmUl8c/JqMz06cfIKMz7rTNFPP8l3Nk+lXR99CQZt39hu4rkgZSQpLlJXS"
    "0/xW3My5xZww5oRQ3bRr/22/xunr2LOPj4yNhjHvaNgXNFCyDyd1xUMKgL00ZVjocvVUSW"
    "QRfeoyXpXwkJQB3n3oEcEhLW9lhvkpKy29yFq6NIMYpws89JCUYV7lvZ2noQX7ZdtMpABp"
    "NZOKPJMoAlDd0nEVpK04XWROB0zDpBtnfqoymSeZbZ859xGlAtZPVOG6Oc7V4/zYMdC1fO"
    "f5DwLBrv7RFX1IK0o4ZABuyc++BQRi6rwwuXoyWabrDpnWoryYTt3BWg8mayWqdrONR+a/"
    "zgiQFRk8zaBxQP8ifABYplj6UZFmwNa5fWVWTAwwiPU9nBswoz4zPoZXBd+yun0E39IBF7"
    "X5Em/ZuQQl9Pnlk+MuncdvRVFCgLN3qjK5JK6LG4xGOUBW+Sg2+yiosZMeZx9RhXKCwO79"
    "+9qKLTKyhzi966WKFXoFHhcZGVBRU11+6yEpxvW37LGv+vrbIjhqirZilM9PUzCEM3DTvL"
    "Qv4YoErGJv+cE6H8LMaZHgegE6WYmpSci6FXBCNHBHB4VGDX+E5ffg4RlAKvIekXM9fQPc"
    "21l6Gkf1+wNwb53qbvw9g0SfKRPz/iDkUMjlKWN876QLayy0n44Pj+4Tuh1YFJf1OhwkN3"
    "s4f6MabXwXKqQfkHXk0SWtArr2m6DPw7LEoUgemhKqwadJLqk+jb+j+jR0RbU72FNFVjtE"
    "lTJcaGUYRZ333rC/HHnMu2JssRhbXZqxt2xK1UZzaQ2YokGc5UbzyxgwDvYRNoyHLfFmjG"
    "cU5JwgiL6DqrAbhm0Ubf90peLvVcXn0ESq9yW5L/tWuGq3OoJIF6QvPNODbeOKdM2d84wP"
    "bkLsgTAUBrdNdlE2e7idFpsqDUh75InN3NTaA+G3G6pCuLm1PbPm5bfiip69IzR9skve0b"
    "y+HvRvhfMGsANWZMayX4XWiJVp6L9IMhBPKtRrCZ0OK5QYCqrKSpvDYfuyx6ntu0HGuN0T"
    "aZeXdGgMG0DBIu2VqZE67aPfve4IvGOJLJZM/m+VJiT7jRXfNU6REa7JLhqLDnB9u8pToa"
    "z2Yvp+S2HbvajRXvG12pl8KzuT7ArcqJvv4r3LK4qcglheLpNb9oogBcLWqvzwrj+SvaIq"
    "0a5vFoeyq1w3b2KVsNKLbsNmP2XF5kKz2bkwS9zhzGdcH5UaWGTOSzMkzakpD/X5dtI8gr"
    "7ieOE5TnnFmLYdu73EFa+LzGuelMzUpltN7RBxxesi8zq4hZTQyRkkqxycEQ5O2wWOUkLr"
    "pyqRBZkZsNXlUDmA6u7Wpbu/JEBWvoNR2TuVnO3TVOPXT1QN4I3BOO4SFQa5Sk0QSk3gW8"
    "1jzhNEjOEMsPXcsPu6xm9SdP0zNwG21b18iXCNv5cvGlZnpcoA2AtPV+UEN7CsJ4DX0Vur"
    "cbtJ2voV/NSHt7wRFGi543WSwRzVJVnh/COT5abZESZPEpxyjEofQuzk3Y4DyTneV5YBlG"
    "+EsXXAq0OkeS0yzNhTf7A+1thqKapO041nJ/sYAY08gSXS3PONvwC+8UaBAooBJoqmG4DF"
    "CUBV0ZEO7DhPHZAJMGbQcOnCSZgy732HdEx7vN6uYBHPuZy3i4+ApmpYdDbwNdasFpML/I"
    "3eqhYyZF/m7EOTTktpFiWT7Jq10giu2uR58KE63rDP4w2xkzteksbP7kIdbNhSntY/fUog"
    "UGmrWInK6wJ7BctlGoTt5iVE9+gwyXJFW8VH8x+GDohXdwzvNUD1RRezH/8Hjbvzjg=="
)
