package org.attribution.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.attribution.config.InvalidJobException;
import org.attribution.model.ModelCache;

/**
 * The model file as read once on the driver; its bytes are what executors receive.
 *
 * @param path where it was read
 * @param bytes the file's contents
 * @param sha256 hex SHA-256 of the contents
 */
record ModelArtifact(String path, byte[] bytes, String sha256) {

  static ModelArtifact read(String path, Configuration hadoopConf) {
    Path file = new Path(path);
    try {
      FileSystem fs = file.getFileSystem(hadoopConf);
      byte[] bytes;
      try (InputStream in = fs.open(file)) {
        bytes = in.readAllBytes();
      }
      if (bytes.length == 0) {
        throw new InvalidJobException("Cannot load model " + path + ": the file is empty");
      }
      return new ModelArtifact(path, bytes, ModelCache.sha256Hex(bytes));
    } catch (FileNotFoundException e) {
      throw new InvalidJobException("Cannot load model " + path + ": no such file");
    } catch (IOException e) {
      throw new InvalidJobException("Cannot load model " + path + ": " + e.getMessage(), e);
    }
  }
}
