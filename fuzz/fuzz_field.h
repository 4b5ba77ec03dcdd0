/* fuzz_field.h - a header field "Name:<input>\r\n" made of a fuzz input,
 * for the targets whose parser takes a field (DKIM-Signature, ARC-Seal,
 * ARC-Message-Signature), so their b= removal has a whole field to cut. */
#ifndef FUZZ_FIELD_H
#define FUZZ_FIELD_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/header.h"

/* The field in *f; returns the malloc'd bytes it points into (free them
 * after f), or NULL.  *nl gets the length of "Name:". */
static inline char *fuzz_field(const char *name, const uint8_t *data, size_t size,
                               as_header_field *f, size_t *nl)
{
    *nl = strlen(name) + 1;
    char *raw = malloc(*nl + size + 2);
    if (!raw)
        return NULL;
    memcpy(raw, name, *nl - 1);
    raw[*nl - 1] = ':';
    if (size)
        memcpy(raw + *nl, data, size);
    memcpy(raw + *nl + size, "\r\n", 2);
    f->name = as_span_make(raw, *nl - 1);
    f->raw = as_span_make(raw, *nl + size + 2);
    f->value_raw = as_span_make(raw + *nl, size);
    f->value = f->value_raw;
    return raw;
}

#endif
