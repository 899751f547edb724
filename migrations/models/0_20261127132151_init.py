from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE "approval_rule" (
    "request_type" VARCHAR(32) NOT NULL PRIMARY KEY,
    "roles" JSONB NOT NULL
);
COMMENT ON COLUMN "approval_rule"."request_type" IS 'VEHICLE_BOOKING: vehicle_booking\nFACILITY_RESERVATION: facility_reservation\nREPAIR_REQUEST: repair_request';
COMMENT ON TABLE "approval_rule" IS 'The ordered roles that approve a request type; [] means no approval step.';
CREATE TABLE "department" (
    "id" INT NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "parent_id" INT REFERENCES "department" ("id") ON DELETE RESTRICT
);
CREATE TABLE "facility" (
    "id" VARCHAR(32) NOT NULL PRIMARY KEY,
    "name" VARCHAR(64) NOT NULL,
    "type" VARCHAR(32) NOT NULL,
    "building" VARCHAR(64) NOT NULL,
    "capacity" INT NOT NULL,
    "needs_approval" BOOL NOT NULL,
    "open_from" VARCHAR(5) NOT NULL,
    "open_to" VARCHAR(5) NOT NULL,
    "active" BOOL NOT NULL
);
COMMENT ON COLUMN "facility"."type" IS 'MEETING_ROOM: meeting_room\nAUDITORIUM: auditorium\nRECEPTION_ROOM: reception_room\nGYM: gym\nCANTEEN_ROOM: canteen_room';
COMMENT ON TABLE "facility" IS 'A bookable place. Opening hours are local business time (`BOT_TIMEZONE`) kept as';
CREATE TABLE "user" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "userid" VARCHAR(64) NOT NULL UNIQUE,
    "name" VARCHAR(64) NOT NULL,
    "active" BOOL NOT NULL,
    "department_id" INT NOT NULL REFERENCES "department" ("id") ON DELETE RESTRICT
);
COMMENT ON TABLE "user" IS 'A member of the bureau. `userid` is the WeCom userid (the natural key).';
CREATE TABLE "user_role" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "role" VARCHAR(32) NOT NULL,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_user_role_user_id_4ce59c" UNIQUE ("user_id", "role")
);
CREATE INDEX "idx_user_role_role_1c1bf4" ON "user_role" ("role");
COMMENT ON COLUMN "user_role"."role" IS 'STAFF: staff\nDEPT_HEAD: dept_head\nFLEET_MANAGER: fleet_manager\nDRIVER: driver\nREPAIR_DISPATCHER: repair_dispatcher\nREPAIR_WORKER: repair_worker\nFACILITY_ADMIN: facility_admin\nADMIN: admin';
COMMENT ON TABLE "user_role" IS 'One role of one user: a table rather than a JSON list so that `users_with_role`';
CREATE TABLE "vehicle" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "plate" VARCHAR(16) NOT NULL UNIQUE,
    "model" VARCHAR(64) NOT NULL,
    "seats" SMALLINT NOT NULL,
    "in_service" BOOL NOT NULL,
    "driver_id" INT REFERENCES "user" ("id") ON DELETE SET NULL
);
CREATE TABLE "outbox_message" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "user_id" VARCHAR(64) NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "content" JSONB NOT NULL,
    "key" VARCHAR(191) UNIQUE,
    "status" VARCHAR(8) NOT NULL,
    "attempts" INT NOT NULL,
    "next_attempt_at" TIMESTAMPTZ NOT NULL,
    "locked_by" VARCHAR(128),
    "locked_until" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "sent_at" TIMESTAMPTZ,
    "last_error" TEXT
);
CREATE INDEX "idx_outbox_mess_status_4d04e0" ON "outbox_message" ("status", "next_attempt_at");
COMMENT ON COLUMN "outbox_message"."kind" IS 'TEXT: text\nTEXTCARD: textcard\nMARKDOWN: markdown\nTEMPLATE_CARD: template_card';
COMMENT ON COLUMN "outbox_message"."status" IS 'PENDING: pending\nSENT: sent\nDEAD: dead';
CREATE TABLE "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztXGtz4joS/Ssqvmym6t5UQp7Dbm2VASdhwyMLzszcO0w5whbgwpa4spxH3Z3/vpL8wE"
    "8CBDIMwydA6pbt063W6ZbM3yWHmMh2D5XplJJHaHc9G5Uq4O8Sho74ktv/GyjB6XTWKxoY"
    "HEhN0SMldRqKDlxGocF45xDaLuJNJnINak2ZRbBQ0cYIEGoiikxAiY1cwMaQAX8kBCCg6C"
    "8PuQywlyn6J/j6DTgIYhdgAsKrAZeh6aG4nEkMfj0Lj9Y+soctLqwzMkJsjCgf/+s33mxh"
    "Ez0jN/w5nehDC9lmAsXgMrq4jBhKSvi/eG9tDKmKPedKtDawyyA2pJg50A1iew7OG2P6ws"
    "YER4PwhxatI4QRhQyZMbixZ9uBecIm/1l4A6Meih7CnDWYaAg9WxhNaPv3Mmsr6Xq7o+k9"
    "VdP1Utagn9SbRq2p6tVO57bRvq6ARzS2DBvpA0Im3DR9fKXUGs2G9ofeVXtq95OiNTptcX"
    "eGZVvsRafIRfQRivH6uKveKY0ul/zvvdrTKtxmU2hRPcAjbfPgdg2ChdtZmLnSEg581m2E"
    "R2zMf56Uv/tPNLODLyVvXunWbpTuwUn5gxibcN/1Pbsd9JRl13c5BGTQH0TaP2Zw4WxZS/"
    "+n12lLK2etGyqkzGpaBgP/A7blP+my5g0bZvadzcHImP8aetgQWIOBZ9nMwu6huN6/S8uZ"
    "PXSUV40xB3wBkBjZcd2/7DjoBy3lS9oetWanKiEjLhtROYocoMqNI6bicBKzjWgYQGPyBK"
    "mpZ3pImRTJZrucspNugRiOJLziicXzBXGzzn2VMgdhlhdVY71zY6qZlHstoBYb4g0hzDKz"
    "7tzALN+bfeGUK1t4JRfeRIRa2FX53fKP38vHpxenlyfnp5dcRN5m1HIxx5sbbe2VOCE/cx"
    "eEfGBD+fUE/0WiwybBTQTl46OjBaIylyoMy7JP4D3Dl88bPmv0pZw3obOSDwceujU4r8GJ"
    "M/E0jXEW4CtCkTXCt+glQ2xSqOaGw58L4++hF4Wts1uk8CmKp0nn4hDwB0dMgsCZkNZt1D"
    "jYxUvVDHRjbNkmHyoLezXQvLrtIltSqF8L8cT89ziPzOFhy2B0z4f4CYNrITybpDtXAYHP"
    "IztR31yqM4xLvZo5KkBkFEIXTG1ooEPQmSLMYQFj4lEX8MkGbGLwLG7guRZGLk8ALQeBg4"
    "cqh1hrtNQ/O2314QOYoClPC91MArnuC/Rxv3RzU2m1+iXA0DOr8BxUSAF/+QFPxLNNYFI4"
    "AhqhjFgu+ocL7rUaF8CP3JcFS+fG5PkpeIK2/bvBrz7pY56oeuitWWreKllMRXLXxy3KQl"
    "ekIZvPDfecLwL7/HQBsM9PC8EWXUnC95YKy3orK5sButRSVa3Rvta7nU6rAhyEeL4+0ikh"
    "Th8r9/WG1uk27nkP9EyLEWp5jqig1NQ7UWIJtCgykBww0Lv+gzeOXvi3mtLWVDWUMyBmCP"
    "lSP7LOMjOvKFCY4gaWmD9xnW027dbMIQNO+Srsr8EL5kxxlfWk/T8a47Uk/rGgj5Dp6mFR"
    "OYeREmIjiAtWgIxyCmNOUuxNgRy1vG8lsNrpNBOVwGpDS7nwfauqdg+OpWdzIcvPo7LYE0"
    "7Z9CH1Y9iiUSOhtINh42yBqHFWGDTO0jFDwsXI0gj7Knt8X8OXp0HWYw6zmRs3ZkrvGC9C"
    "6v5ThYst2S6QtYac3DmsQRTnzV4osUDO7CBngCggQ8AzRJ64UgS9Q/AghrDMB2C5sv0zqh"
    "EH+I3gQLRgyDzKU90JevmQ3Wtd47jbtk0RuPT2ZrAb3qXwjbVMbJ9p7FyBYP18e18Q2CC4"
    "+4Xz3Xj2bJt6uQ23jN4+g3x91y15JuA9d962DehFt94ybvaG7TdxXEe3LTxZw+ZSl/gH5X"
    "YE9kRICA5+vRGlT/4oO7RHuekkQvpUQSIR+tv8ZEKnodirGUUHI3m6UjB/wr8LdbGxJccD"
    "3Fqcw4uDl5i3ifNZ8jQbcIl/GFPmB67+ZLGxvOZDJrNY8/h9zDMRKLbRpE8A7in0BYjTb4"
    "SNgSDBA+gitygT+RrlWhKhb/vM5AdmJqGTrnSgNtDdFI1ex0nanqZcXVUAf4LhsI/r6p2m"
    "36hKvQL4Ysb0MYJmH181Va7dUtrKtdrlN2IjxHQ/OlCu0218Es0m5YyWRqdp643enaLVbk"
    "RXcKDWtNwpZMY4JvW5072NSTwROhG90eldpd5qxM/tQtOxcB8HzfLXduwbyYi21AyMaezp"
    "6Ot0NIyJbySiO3bYJk1BY06VIJ81pVdT6uo87rlJxhDyqxzCEKNexXzhMSa0O4eTf/W1dc"
    "pp+VJ1qUhh52p+x+eLHE0+Lz6ZfJ5ekOQsWgbcSGFf9Vug6uciyHKSzp4DbbswMERKu7Tg"
    "n5QvzqPIIH7MCwq9ltJsZgt7FtbF+1iWsWwdNam4r6UuUUuVdH3JOmpcZ//iwuslVInX+7"
    "HWLUN34bpp3K0StJXfAWjfN5s/ird2PDYgzy3kunCUy16TAnM5LJGiuhOT3SSV/coXbsg8"
    "eQ8YPTMdMoacqfj0S0oL89yqNfpVqO7Hcvnk5KJ8dHJ+eXZ6cXF2eRRFhGzXvNBQbVyL6J"
    "AIzYttg+dG5Pn74PkBec/b8njbhD/XqvW8UHebgS5p6hetIl/96GPxvaZ06/5vg4fDPm4p"
    "3dt653O7AhxIJyZ5wkKudddUNFUPhR2ZaelCY5Xy2vqzGX45lrsTWfzCe0zl/V953/yqmg"
    "ft2l5uT8wYlHNOuzggBeIrzZE0f9mmBP3j8SI+/fG42KlFXyqJjFboVcLRTPv9AlJpinD4"
    "qsMyUelObdflH3UE+n3cU9s8Trl8hoptB3/HAa4UbS4XMMxloVkuM+d5fJ6UY5ZCFhRXeb"
    "/U/mizXGiNbyYk2WcG1zoHRrzUWPRuQkY9Hc8D/cPwy25FdfH6Zk9TWneJ0F7n67XoKcvW"
    "l1TrQXpxjQYBnxvajf9KqHhzNL0CRHLanyVxT9BjRMfkSYdmHJOwOWxKGFy8MYpMfbDUup"
    "FQWsvqsVVM9ri8SJjiUsXrRzkTqgLMPMysnFLv/GmV1l3DnNoyA+zSlDIoErivED6TmvvI"
    "udVmFnRoBRvH1PbTeJvta0OX6YhSklMU1jjPKQjVCa1dWBvn2VT9os3PYSOTNjvt61A8nd"
    "huzRtXCqKWMS7l/eWl3/Pb3D+7nMnszz28G3Pb8LmH4G9WlmHHMZVtrj6uSI7LZ4u8zMql"
    "Csmx7Evl8XxSLYFwIL6D6G7kf+/2Bdlf599Gv/8f78XbIA=="
)
