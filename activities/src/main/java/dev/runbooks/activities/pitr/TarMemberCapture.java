package dev.runbooks.activities.pitr;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Passes a tar stream on unchanged and keeps a copy of the members it is asked for ({@code
 * backup_manifest}, {@code backup_label}): {@code pg_basebackup -Ft -D -} puts PostgreSQL's
 * manifest, which holds the backup's WAL range, at the end of its one tar, and the worker must read
 * it without a second pass over the stream. Only the 512-byte headers are parsed; data passes
 * through.
 */
final class TarMemberCapture extends FilterOutputStream {
  private static final int BLOCK = 512;
  private static final int MAX_CAPTURE = 64 * 1024 * 1024;

  private final Set<String> wanted;
  private final Map<String, byte[]> captured = new HashMap<>();
  private final byte[] header = new byte[BLOCK];
  private int headerFill;

  /** Data bytes left in the current member, then its padding. */
  private long dataLeft;

  private long paddingLeft;
  private ByteArrayOutputStream capture;
  private String member;

  TarMemberCapture(OutputStream out, Set<String> wanted) {
    super(out);
    this.wanted = Set.copyOf(wanted);
  }

  /** The members captured so far, by name. */
  Map<String, byte[]> captured() {
    return Map.copyOf(captured);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    int i = off;
    int end = off + len;
    while (i < end) {
      if (dataLeft > 0) {
        int n = (int) Math.min(dataLeft, end - i);
        if (capture != null) {
          capture.write(b, i, n);
        }
        dataLeft -= n;
        i += n;
        if (dataLeft == 0) {
          finishMember();
        }
      } else if (paddingLeft > 0) {
        int n = (int) Math.min(paddingLeft, end - i);
        paddingLeft -= n;
        i += n;
      } else {
        int n = Math.min(BLOCK - headerFill, end - i);
        System.arraycopy(b, i, header, headerFill, n);
        headerFill += n;
        i += n;
        if (headerFill == BLOCK) {
          headerFill = 0;
          startMember();
        }
      }
    }
  }

  private void startMember() throws IOException {
    if (header[0] == 0) {
      return; // an end-of-archive block
    }
    member = text(0, 100);
    String prefix = text(345, 155);
    if (!prefix.isEmpty() && header[257] == 'u') {
      member = prefix + "/" + member;
    }
    long size = size();
    dataLeft = size;
    paddingLeft = (BLOCK - size % BLOCK) % BLOCK;
    capture = wanted.contains(member) && size <= MAX_CAPTURE ? new ByteArrayOutputStream() : null;
    if (size == 0) {
      finishMember();
    }
  }

  private void finishMember() {
    if (capture != null) {
      captured.put(member, capture.toByteArray());
      capture = null;
    }
  }

  private String text(int from, int length) {
    int end = from;
    while (end < from + length && header[end] != 0) {
      end++;
    }
    return new String(header, from, end - from, StandardCharsets.UTF_8);
  }

  /** The size field: octal digits, or GNU's base-256 form for members of 8 GiB and more. */
  private long size() throws IOException {
    if ((header[124] & 0x80) != 0) {
      long size = 0;
      for (int i = 125; i < 136; i++) {
        size = (size << 8) | (header[i] & 0xff);
      }
      return size;
    }
    String octal = text(124, 12).trim();
    try {
      return octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
    } catch (NumberFormatException e) {
      throw new IOException(
          "pg_basebackup's tar stream has a member header with size field \""
              + octal
              + "\" for "
              + member
              + ": not a tar stream",
          e);
    }
  }
}
