package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.io.Serializable;

/**
 * The attribution method and its settings; the job file's {@code method.name} picks the record,
 * so each method accepts exactly its own keys. An absent name means {@link Defaults#METHOD}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "name")
@JsonSubTypes({@JsonSubTypes.Type(value = IntegratedGradientsConfig.class, name = "integrated_gradients")})
public sealed interface MethodConfig extends Serializable permits IntegratedGradientsConfig {

  /** The method's stable id, as written in the job file and the output tables. */
  String id();
}
