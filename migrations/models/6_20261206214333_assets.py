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
    "eJztXet32jq2/1e0+HKStTi5CXme9K67LklIyzSBDJD2zJQuo9gi+MbI1I+kmZnzv9+95Q"
    "c2tsGAIY7rL22QtWX5J2m/Jf27MtYVppl79cnE0J+p1rE1Vjkn/65wOsY/Yp9XSYVOJtOn"
    "WGDRB0GJT0RNyfCqPpiWQWULHg6pZjIoUpgpG+rEUnWOJL0RI7qhMIMpxNA1ZhJrRC3itM"
    "QIJQb7YTPTItbrhH0g376TMaPcJFwn3tuIabHJHr5O0WV4n8ofM225z/scG3tir0Q1Zwir"
    "8A4owj8J5QrRObx1SFTLJE8qV0yyM6CmySzJJdpTVHOim1Qb7J73ORWVyItqjbBdQM0j1l"
    "+4eJnTW4U8wLutKnwC1IB/DBNL8Be++TdT0O6RuvjSPh/TV4KjKGoobEINa8y4BU1goxZ9"
    "YpwMDX0MvYOnljRiVPnfg8PBuSDAX9iPAOHBYbXP2d7jnqjwYBuM2vBW8WlQdajKbJeoHP"
    "BySLEW9F1TZcqt30wxOjZXAQLJ0h8ZfgGM0bfvUAwAsJ/M9H5OnqShyjQlNBNd8CT8WGxK"
    "1HB+wdPLETWuBQ3OgQdJ1jV7zOPoJq/WSOc+IUwWLH1knBnUYkpgmnJb09xp7RU5/YcCy7"
    "CZ33FlWqCwIbU1nOxI7fRlWlaRpFa7J3UbPUmqRBaCRxGYwW6RrHNcRCq3TIHJmP6UNMYf"
    "rRH8PKz95bxniohTC1/4pd65/FTv7BzWdvGFOqxEZ5223Cc18egv0QS1qNOIGIkA9Lh0op"
    "j/rdtuJWDuEcyAraiyRf5DNNW0VgHdK5iiPuUoPsT/PbS5jIjCFFU1CybkHr7vfyobGow5"
    "4CNA2PLYNH9oQdB3but/zo7H5U37QkCmm9ajIVoRDVzA4OCiGD4FxgYLHqj89EINRYo80W"
    "t6Ut3oo3FtPFtCOX0U8OIX4/e5UuDKZwZxMiLwdK6EUML1FomH5IFYg5moSnQ6N7kVP5ud"
    "yjNTWeUrTeG35RuP2IXfawdHp0dnhydHZ1BFdNMvOZ0zm5ut3gI+If5fgjV79bNhyWm4w9"
    "aY8sH+fgquDLUS2bJ4hnhP8YV1A6tGWmryhmhWmsPuDM0NzhlM4gg/ncU4CvC1bjD1kX9m"
    "rwLnJvSJcjlu+sayw/eF8V/eLPJKp1006IvPT8OTCyCAD2eWAKHT6PY6zUsAO1lUTUGXR6"
    "qmQFNR2C9cyuvPHaZR8R2/FOKh9W+boPSvh9E9NPEOmWsqeIQlsiY+dWyjQNNnk+rgNZVV"
    "TbVe45RB/9lcVXAYrLXQT1AnD7r+hLRkolEZbN32hHGAhYx0G6xhYEZE02Ww2R9sU+XMBD"
    "NXBQN4Z3ABEPeat41/tluNwS5Y8RML7NaIuyDrF/R5v/Lp0/ntbb9CLPbTOgcDH2sRRzyT"
    "F93WFKIY9JH0dMPSVRPN+PveJVTgz7DW0YqBwdSB7oVq2u8yvP2pz5+pZrN17ek4LSJZVY"
    "vVH0rbebHtXOrEPtgnRynAPjlKBBsfhRXiZF9Qg9vjiKIWAjpbf9BmgK7cNhq9Zuuj1Gm3"
    "b8/JmDEL4JYMXR/3ef3+qtlrd5r38ITaimrphmpDeadx2bjrNdstl8pgMhMNunQf/wGFj6"
    "/w12W91Ws0vHropmPMqTXLGre5lqbDiw4cBTuwxPoJ0uR5aHOzhmQ6ASnsyOCUNmWQJBu3"
    "yFtjnIljJMD0GVNMyQshxGikuq4xyhMkQIR4BmNQUrRNgeyXbNdTetFu34Q8pRfN3swUvr"
    "+9aHR2DsTMhkqqY2dGsddBZZMwsLEM1wgRFZBtHKfgGseJTON4lmcIuCx9aYQdkhLfRfiC"
    "GaQ+x2g2c/nGlGiL/MJT3d8Vu1ginBKJP67pX+g4rZQehlQeBuGtivEueF6sZM+C7dVI4V"
    "UYs/EDM7yQtRPY3iMDbEJVBiJaDuVf2aU+Jk4h2cESTi3boBomBexGcw8ybDdvgS53aubX"
    "xt9wnMsZrGWk35SicC6U7C2S0mWyQXBL1WJrlsg00WG5kG2ErrSxF8dtw1kl24zd5g3otM"
    "HbyDRbI4CLCV+SpvKnDMKTHd1JHC0I7CGW8MxGqhybTLcMSl+cVgpkRIQklJdBjJm364Zz"
    "3ba60FRR59S2DdN3CRI1TZAALEYM/9rWe0hfMUDJWzMHp9gIORkmEob31+RLZZrJUk4goR"
    "MkOII8fWG+M0gyvGoLPUJtzsQeCvTc4F4OJMfUDdEegdEaMQM3knAowwxtkc9OTN3ZXCL8"
    "O6aE+znEOwcRz1DG7fc5bhLBRBExJwjMFOOVYP67bo0IOjEeqMkS9198831lAqHvpWfpDT"
    "1L3iRdJaHBo92UGyQDnCvdXv36+pzAFwyHfX7VuOtJnxr1q3Pib0Hq8+ubBlDf1lv1j40O"
    "dERjzJIc7mAATaf5BYuFsDIw2+Gu3uxIV83uXb13+QkfGWDYqIaEu6yoJY8Ctb62O58DNV"
    "504wmfXtcvmzfN3j+k+tVts4Xf7qSlSVQZq7zP691usEfOZi6/Ry6RqDu71t8mb0Lwu6XW"
    "Z4CidDYsdjZ4HHNNN0PBknGrMw6GwKQKuRYu693L+lVjnmdhk/qEZz3HqBMBwzpZm3gOVC"
    "rO5qVfXfJOQGVfKurgExQuonNwkmbr0knyzqWTWYEkVtEy4PoEZUwnRUzHZDTO/dMdU01L"
    "ZAw+UZEE/mHt9MTnDPhjHlPo3tZvbqJhG5VLILieVXnZKFmYsIyULREpE8r8klGyIE25sX"
    "FxgEzgtT2tNWfopo6KBadVSG2FHpDW/c1NyohYmS62dU9h27Ye9J+3zDTpY6x+H64wV8vX"
    "RVVpHKi7SWX/G6g21LJFHzj7aUnUsth4gv9XoOq3oDHl1vy+lIFwoT7+KjbCH7Xa4eFpbf"
    "/w5Oz46PT0+GzfZ6XRR/N46kXzI7LVkExLlx0WK8rmp4fFS7JS4Y1TePHEpFXdpB5tnoGu"
    "9Bp/9s7FntE+x78v650r57cMXLLPb+udz1ftr61zMqbGk6K/4PlUjdu7m3qvIXmVx8JElR"
    "wKLJTu766gAm71AlZrTxTXgn17AxFeZ8Wm7iSfMRQg2f4pQ5uXnHHQZnaeUGgtsZitX8ms"
    "yq2+0uqZ1VHy5PP44yDNnP7jIHlS47MZu9wX6aswqin19lhVZcK4t3tyGX5112hdNVsfz4"
    "lL3+fdRgs4mAkrFOM8ToiHKqtwm7MUA3OWOCxnkQRYR7GKGZZE/ShIsj1vyf5mtaQMNzuG"
    "1dUIrlcADJ6TkLTdMUI+y89d+j3vj2JxdTwRotur396FWDsKanxSE6WvM6U7s8LVb4R8bf"
    "Y+OadM4GEUsxLAr9f7ZwX7RG1Ll7j+IlEliIlX7BWFBhwPoWCK9LCU3AgRZSI9cqXjHtTS"
    "sCmolSw/ahFW5WJmc0uN8Z7PX1aztBmsqZwNQJGWlGwwxH0F9hmmLDlnrocZ1aEVxjhAVi"
    "7jPI+vRk1LYoahx/jZe6DnJLDqEFURZOO8MW382Ztvw/pDetNuffSqzxq2uTkTN7TDYM7J"
    "6d4OhBQnp5te1Uwdzt+8kIRwIbMfkUzPb24PfFekwmQVjyBb0tP8q7iZN5aKgoMTQXVRMP"
    "/Hdo3T9xHKT06njYdx0ym0b2igZJ9l6rOHJQAO0hRB0G3UUyXr4/j9rMmqRICkCPBuQ4+Y"
    "ndLKSmZYmLLU0vOspcsjyvly+YgBkiKsq02H8ww2xi9bZSHNkJYrKc8rCRCg2oqOq1nacq"
    "TzPNIzpmHawFmYqkjmSWbhM+9+qqWADROVuC5Ofw04P9bMfy3eSQnVmRzY8OyK37sVxxwy"
    "ALfgW+JmGOLSJ+5s0pPpzesYJ2Zgyif7LwMrbMOpsv6tguskxJZuyjXdlAKaCKwFOnz/S+"
    "NT8/KmIV20259FcpO781PCW0JEkpO/cRzWbqPzpY6n7uPL3e3joH8x41mk+Ptb0DuNv9/D"
    "Qvf3oLurxttk7j8O3RhaSTfgG3b45T2dLbK4sstmq9/dddpfGlfn/m2sOKB/a1z2sMxg/8"
    "dki4ks29Zl4+YGC2VEQdOwFIa2+bElqN1jiPq82ZKgyY8wcbrnROUStIr6uglttG/vbhqi"
    "YVkfT1A8rJQ3l71ZHzoxLtbkS3emYbzF9+uqrTOLzFg+QcAjKo3oPBvRLG7XwgIvSexmhX"
    "JcczWuCrOoqi11Q3KAJB93JONr3/UdyeE8K0ONO2Qz2cE/pdiQf//933EW8KVQK/ZWpvk5"
    "ClOqAu3WziJLoUz+/CWkhLPfbpVhDlOWw5zrYfaOnZPWCIImtVGqgXkeeXnE5Ccw5an5tB"
    "o3j6EvRzz3Iw5jhYO22nAHicuxzvNYiyx923hcaWlHiMuxzvNYzwaY0qc7hMhKB2eMg9N1"
    "gbMloQ1TFciCzAzY8hC1DYDqx/KWO9Bnhqx4OaPZO5W84OpS8zdMVE7ghWlQvoiKglzm6k"
    "RydULSPCFZJ2YOZ4Bt4a54mkU3vHJTYFueX5kK1+TzK+Nh9SRVBsBeB5oqJrgzYj0FvJ7e"
    "Ws7bRdw2rOCvcRdheW1cEuahmTnSEbm1YPqkOypZEeGhtqKue8kXNnGjPxZn0c6yNrwMbe"
    "Tq5WvgVF6GljpJWyy5mAxtbykmp2ePvBoL7z+rE4OZum3IjOBNd2SoG+SbSDGrEsaVXfLw"
    "SijRQM8gbn7qORm4+tz5QW1QJQNHCzn/14jq5kgd2oNqZQbTzbylzweejD4fG78f7h8Mku"
    "49i2SVe90RIPkXXjupdd/xCObZwqqfnuWTlino270uLTBkaV0zQZo8p5+v6Jg5209zCMF+"
    "8ikE+zFp32+bkZo3wIsU6XjTlNRyYDcYwvKF1YxiNu8GmylReXtN+ttryh285Q7enHlT0u"
    "zgfatdpo76daPLT5XYraaB59X5+02dmpLmVU15s/MLmTDDtz4+4FXJ3b/fwPKuEpFpCQNA"
    "VDBIVAOvXWaGSjXVZCZxt/2ZZOfOYdZAFTFrsn9FnxtMU+EhNKJaJmE/Zc3GQ7TIdBoQFf"
    "5iVNlNae0kmilbvA0gZ6bKRrToZNMFDNf4w9PmxDqNhKPTftFD6COy4m04mnDzfcLLDeKO"
    "//QfzuVlwtso7r9Ox8h6I0bkEaD5mymukEdKwXZ2VIUc7MLSgQqYdEYGJvsxII+g1nGi2x"
    "ahXHHukTeYrBsK0I+oOdqL8LHM39DnjWe8mN5kVHOYILA0jwdW8Xp7fGISarApR1TIDhVv"
    "RR6PDHDKFqvYgz5/MYCr+o8dJrvr9sH9AsIZvBkdTE/mB3wlvAbeNtJfTLeP+P8Yd/WSoa"
    "GP+xxJwcxZl5nGKYTz98hkqQ3mwfOz+vaYJY9HnXe92dYPR90w09zK/WYzia+4hJdRDEJE"
    "W7y/prIV9SCbG83yJL8wTJUkvtwQ1iLppbnVFgqvryOdKCBFXkBIVOFfxquC78Kfqjwi7l"
    "mLoTLn8Ahi6e7vvl3bPzgSgklTObD+IaEREbah9/Q5zmtXtOz07eP9g1rfPjllx337bDhU"
    "4F+ldggScoD1BkQ1QdbQ2vEJwZN/hFgCiQZiUaZc56oM4hD3sFbdV6oc1HtArM8dwbpzUC"
    "W1Kjmsis7UTsiLCqsJ5OwjnZiOpBtMDPYsVttASEUhcLGvjnQTEpr8Tg4Ge6SO7+5z/HaY"
    "DIQOLWbgFDIJ10GKQqFBxrj1SAhnR3R/II4M9mSkxugzPKbYA+iuowB8gP466xzoVb43eS"
    "ViWhD4ZnX4Ct/hTJz/ciaLQA8q7YL85/B27LVjDUG3mYqSFjSGPq973wAooqi3QMlAAETn"
    "nK8QEEDvnW6QgTt1g+9BzWIgRlCoHLCodUfIO4Ooc5nhWRtjbB9UDnwBFFPQQ4ANKPiNWB"
    "kPc2HG2iZWeTvnW97OCZwp7naGZEnmExQwWJT9zZxUtmKt2rn4rnMgeL4Bzj5NGoWVNO8k"
    "poSE9DBZ8RLSsz/tyNJXwDlEVKK8GOU3OIw73ywje4iX365YHjTwDiK85alDuTt1aIuOqX"
    "zdpfwmjinf6l1GeISIiiegs9folwW4xDY9tm+VOZI3mIuXOJIzhDPIG3nr48mb/EG3udJl"
    "jFdiPNXBx9V5zmrVqSiZXs1NnlVe5lksMnbSJFpArTnmzsJUi3nn681Tz+aerpdZ+LCYel"
    "peYltia1FcYMvbczQnquVXSZVXplpsjMELEd9hj2BIMaOKm1gwUmHRR+ja+IEZGDE6U46O"
    "+vYRo6d9+3R4cNK3jw+Hp7vRJIwM202zA0aGifyoG4LVoBdLSELc3yU9iC2v5e6W7V6wQG"
    "POWJ3jeqRxh6u+fxmRvQ89OM9TOx0DNAX0OmYPsvh/CYC9+gUEN3vDUdNlumygLUhTgpwC"
    "5Geq2TFT+IrJ6phqCUm6Hs2sf9Uh2nOJ3yHac9C9alw2b+s3Owe1am1mt4wH/FHctkJr5f"
    "uDfOItppapXDItd6vBEgCDoJe6vfblZ3HNi2ihz5vd7j1e8KKapo23wfQ69Vb3utHpiGtn"
    "AHVuDplhiLtnrprdu3YXa+OxwLqZl9tgcnSedT69LQWJMgUu7llCyY/QlY7KaAQjYFulRz"
    "ZMVMIahfWJscmyJ2GGaEpQFzrVHbwy8KkX+1ir0LRKc8qdzzYzgPYq1FgxAY7ImRQguxy0"
    "DAgthjcsbELYQhdI6/7m5q0CQnVmqPKoEufcdZ5U53p3p3XeJABUekw34DFN3FSb7BVJ3l"
    "VbBKdI7fg4hdkHtRLtPvFsJp9wMlkGYbd6AdE92E8VvdyfE73cj/hF4I1WrPhPTusLkGw/"
    "re9t7OjMEvjeNFD51/8D/esmPw=="
)
