package dev.runbooks.worker;

import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.NewKeysetGuard;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.config.RunbooksConfig;
import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.payload.codec.PayloadCodec;
import java.util.List;

/** The data converter a worker and every client of one configuration share. */
public final class PayloadConverters {
  private PayloadConverters() {}

  /**
   * With {@code payloadEncryption: true}, payloads encrypted by the backups' key ({@link
   * Activities#encryption}); else Temporal's default, plain JSON.
   */
  public static DataConverter forConfig(RunbooksConfig config) {
    if (!config.payloadEncryption()) {
      return DefaultDataConverter.STANDARD_INSTANCE;
    }
    return new CodecDataConverter(DefaultDataConverter.STANDARD_INSTANCE, List.of(codec(config)));
  }

  /**
   * The payload codec of the configuration's key, whether or not {@code payloadEncryption} is on:
   * the codec server decodes what workers encrypted.
   */
  public static PayloadCodec codec(RunbooksConfig config) {
    return new PayloadEncryption(
        new ConfiguredKek(
            Activities.encryption(config),
            new NewKeysetGuard(BackupTargets.fromConfig(config), config.targets().keySet())));
  }

  /** Payloads encrypted with data keys that {@code kek} wraps. */
  public static DataConverter encrypting(KeyEncryptionKey kek) {
    return new CodecDataConverter(
        DefaultDataConverter.STANDARD_INSTANCE, List.of(new PayloadEncryption(kek)));
  }
}
