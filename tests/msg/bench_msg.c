/* bench_msg.c - throughput of the message parsing layer on a realistic
 * header block (Received chain, folded DKIM-Signature, From with a display
 * name).  Prints figures; it never fails on a slow machine. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "msg/message.h"
#include "msg/tagvalue.h"

static const char msg[] =
    "Received: from mail-ed1-f41.example.com (mail-ed1-f41.example.com [209.85.208.41])\r\n"
    "\tby mx.example.net (Postfix) with ESMTPS id 4F1C12A0B3\r\n"
    "\tfor <user@example.net>; Mon, 23 Nov 2026 10:11:12 +0000 (UTC)\r\n"
    "Received: by mail-ed1-f41.example.com with SMTP id a12so1234567edb.1\r\n"
    "        for <user@example.net>; Mon, 23 Nov 2026 02:11:11 -0800 (PST)\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    "        d=example.com; s=20230601; t=1700733071; x=1701337871; darn=example.net;\r\n"
    "        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject\r\n"
    "         :date:message-id:reply-to;\r\n"
    "        bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=;\r\n"
    "        b=Q0Zfk3d8ePsiJa1T5QmYc2t4u3Vb8b9q6m0lXG3fWkJ1aXU9Yv4x3Z2w1u0t9s8r7q6p\r\n"
    "         5o4n3m2l1k0j9i8h7g6f5e4d3c2b1a0Z9Y8X7W6V5U4T3S2R1Q0P9O8N7M6L5K4J3I2H1G0\r\n"
    "         F9E8D7C6B5A4z3y2x1w0v9u8t7s6r5q4p3o2n1m0l9k8j7i6h5g4f3e2d1c0b9a8==\r\n"
    "X-Google-Smtp-Source: AGHT+IFakeFakeFakeFakeFakeFakeFakeFakeFakeFake==\r\n"
    "X-Received: by 2002:a05:6402:1234:b0:540:1234:5678 with SMTP id x1-20020a056402123400b005401234567mr1234567edb.12.1700733071123;\r\n"
    "        Mon, 23 Nov 2026 02:11:11 -0800 (PST)\r\n"
    "MIME-Version: 1.0\r\n"
    "From: \"Alice Example\" <alice@Example.COM>\r\n"
    "Date: Mon, 23 Nov 2026 11:11:00 +0100\r\n"
    "Message-ID: <CAFake1234567890abcdef@mail.example.com>\r\n"
    "Subject: Quarterly numbers, =?UTF-8?Q?r=C3=A9sum=C3=A9?= attached\r\n"
    "To: Bob <bob@example.net>, carol@example.net\r\n"
    "Content-Type: multipart/alternative; boundary=\"000000000000abcdef0123456789\"\r\n"
    "\r\n"
    "--000000000000abcdef0123456789\r\n"
    "Content-Type: text/plain; charset=\"UTF-8\"\r\n\r\nHello Bob.\r\n";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    const size_t iters = 200000;
    as_arena a;
    as_arena_init(&a, 1u << 20);
    size_t sink = 0;

    double t0 = now();
    for (size_t i = 0; i < iters; i++) {
        as_header_block h;
        as_header_parse(&a, msg, sizeof msg - 1, NULL, &h);
        sink += h.count;
        as_arena_free(&a);
    }
    double t1 = now();
    for (size_t i = 0; i < iters; i++) {
        as_message m;
        as_message_parse(&a, msg, sizeof msg - 1, NULL, &m);
        sink += m.from_count;
        if (m.dkim_sig_count) {
            as_taglist t;
            const as_header_field *f = &m.hdr.fields[m.dkim_sig_idx[0]];
            as_taglist_parse(&a, f->value_raw.p, f->value_raw.len, 0, &t, NULL);
            sink += t.count;
        }
        as_arena_free(&a);
    }
    double t2 = now();

    double hdr_s = (t1 - t0) / (double)iters, msg_s = (t2 - t1) / (double)iters;
    printf("message of %zu bytes, %zu iterations (sink %zu)\n", sizeof msg - 1,
           iters, sink);
    printf("as_header_parse: %.2f us/message, %.0f messages/s, %.0f MB/s\n",
           hdr_s * 1e6, 1.0 / hdr_s, (double)(sizeof msg - 1) / hdr_s / 1e6);
    printf("as_message_parse + DKIM-Signature tag list: %.2f us/message, %.0f messages/s\n",
           msg_s * 1e6, 1.0 / msg_s);
    return 0;
}
